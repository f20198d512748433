// Package redact hides secrets — URL user info, query and fragment
// parameters whose names look secret (token, api_key, password, sig, …),
// and headers such as Authorization, Cookie and X-Api-Key — wherever
// bploadgen writes what it was given or what the target said: the result,
// the summary, the reports and error messages.
package redact
