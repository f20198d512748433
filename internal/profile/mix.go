package profile

// MaxRequests bounds the requests of a profile's mix: each gets its own
// by_request record (docs/result.md), so their number bounds the memory.
const MaxRequests = 100

// Request is one request of a mix (`requests:`). Its URL, header values and
// body may hold placeholders (package placeholder); they are compiled with
// the data's columns when the run starts (package mix).
type Request struct {
	// Name is the name the results and gates use (`for NAME`); the default
	// is "METHOD path" (the URL without its query).
	Name string
	// Weight is the relative share of arrivals (> 0; default 1).
	Weight float64
	Method string // default GET
	// URL is absolute (http or https) or relative to the target URL.
	URL     string
	Headers []Header // in the order given; they replace target headers of the same name
	Body    string
	// BodyFile is the file the body comes from, resolved against the
	// profile's directory; "" when there is none.
	BodyFile string
	// Line is the line of the request in the profile file, for errors.
	Line int
}

// Data is a profile's `data:`: a CSV file whose header row names the
// columns that placeholders read, and the order in which arrivals take its
// rows.
type Data struct {
	File  string // resolved against the profile's directory
	Order string // OrderSequential, OrderRandom or OrderUnique
	Line  int    // the line of `data:`, for errors
}

// Data orders.
const (
	OrderSequential = "sequential" // arrival seq gets row seq mod rows
	OrderRandom     = "random"     // a seeded draw from (seed, seq)
	OrderUnique     = "unique"     // row seq; an error when the rows run out
)

// DefaultName is the name a request without one gets: "METHOD path", the
// URL's path without its query or fragment ("GET /search"), and "/" for an
// empty path.
func DefaultName(method, rawURL string) string {
	if method == "" {
		method = "GET"
	}
	p := rawURL
	if i := indexScheme(p); i >= 0 { // absolute: drop scheme://host
		p = p[i+3:]
		j := 0
		for j < len(p) && p[j] != '/' && p[j] != '?' && p[j] != '#' {
			j++
		}
		p = p[j:]
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '?' || p[i] == '#' {
			p = p[:i]
			break
		}
	}
	if p == "" {
		p = "/"
	}
	return method + " " + p
}

// indexScheme returns the index of "://" when s starts with a URL scheme.
func indexScheme(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':' && len(s) >= i+3 && s[i+1] == '/' && s[i+2] == '/':
			return i
		default:
			return -1
		}
	}
	return -1
}

// IsAbsoluteURL reports whether s starts with a scheme and "://".
func IsAbsoluteURL(s string) bool { return indexScheme(s) >= 0 }
