// Package redact hides secrets wherever bploadgen writes what it was given
// or what the target said: the result, the summary, the reports and error
// messages. It works three ways, each idempotent:
//
//   - by name: URL hides a URL's user info and the values of query and
//     fragment parameters whose names look secret (token, api_key,
//     password, sig, …); Header hides Authorization, Cookie, X-Api-Key and
//     the like; Column hides the values of data (CSV) columns named so;
//   - by shape (Text): URLs, "Bearer …"/"Basic …" credentials, name=value,
//     JSON members and header lines with secret names, inside free text;
//   - by value (Secrets): the values the run was given, wherever and in
//     whatever encoding the target or a library echoes them.
//
// The package is a leaf: it knows no bploadgen type (result.Result.Redact
// applies it to a whole result).
package redact
