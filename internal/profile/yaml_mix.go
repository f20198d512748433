package profile

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

var requestKeys = []string{"name", "weight", "method", "url", "headers", "body", "body_file"}

// requests reads `requests:`, a non-empty list of at most MaxRequests.
func (p *parser) requests(n *yaml.Node) ([]Request, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errf(n, "requests must be a non-empty list")
	}
	if len(n.Content) > MaxRequests {
		return nil, p.errf(n, "requests: %d requests, at most %d", len(n.Content), MaxRequests)
	}
	names := map[string]int{} // explicit name → line
	var out []Request
	for i, c := range n.Content {
		c = resolve(c)
		what := fmt.Sprintf("request %d", i+1)
		r := Request{Weight: 1, Method: "GET", Line: c.Line}
		var nameNode, bodyKey *yaml.Node
		hasURL := false
		err := p.mapping(c, what, requestKeys, func(key string, k, v *yaml.Node) error {
			var err error
			switch key {
			case "name":
				nameNode = v
				if r.Name, err = p.str(v, what+": name"); err != nil {
					return err
				}
				if strings.TrimSpace(r.Name) != r.Name || r.Name == "" || len(r.Name) > 200 {
					return p.errf(v, "%s: name must be 1 to 200 bytes, without leading or trailing spaces", what)
				}
			case "weight":
				r.Weight, err = p.number(v, what+": weight")
				if err == nil && !(r.Weight > 0 && r.Weight <= 1e9) {
					return p.errf(v, "%s: weight must be > 0 and at most 1e9", what)
				}
			case "method":
				r.Method, err = p.str(v, what+": method")
				if err == nil {
					if err := ValidateMethod(r.Method); err != nil {
						return p.errf(v, "%s: %v", what, err)
					}
					r.Method = strings.ToUpper(r.Method)
				}
			case "url":
				hasURL = true
				r.URL, err = p.str(v, what+": url")
				if err == nil {
					if err := checkMixURL(r.URL); err != nil {
						return p.errf(v, "%s: %v", what, err)
					}
				}
			case "headers":
				var spec RequestSpec
				err = p.headers(v, &spec)
				r.Headers = spec.Headers
			case "body", "body_file":
				if bodyKey != nil {
					return p.errf(k, "%s: both body and body_file: give one or the other", what)
				}
				bodyKey = k
				var s string
				s, err = p.str(v, what+": "+key)
				if key == "body" {
					r.Body = s
				} else if err == nil {
					r.BodyFile = p.relative(s)
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if !hasURL {
			return nil, p.errf(c, "%s: url is required", what)
		}
		if r.Name == "" {
			r.Name = DefaultName(r.Method, r.URL)
		} else if line, dup := names[r.Name]; dup {
			return nil, p.errf(nameNode, "%s: the name %q is taken by the request on line %d", what, r.Name, line)
		}
		if nameNode != nil {
			names[r.Name] = nameNode.Line
		}
		out = append(out, r)
	}
	return out, nil
}

// checkMixURL accepts an absolute http(s) URL or a reference relative to
// the target URL ("/path", "path?q"); the URL is checked whole once its
// placeholders are compiled (package mix).
func checkMixURL(s string) error {
	if s == "" {
		return fmt.Errorf("url must not be empty")
	}
	if indexScheme(s) >= 0 {
		return ValidateURL(s)
	}
	if strings.HasPrefix(s, "//") {
		return fmt.Errorf("url %q: give a scheme (http:// or https://) or a path", RedactURL(s))
	}
	return nil
}

var dataKeys = []string{"file", "order"}

// data reads `data: {file, order}`.
func (p *parser) data(k, n *yaml.Node) (*Data, error) {
	d := &Data{Order: OrderSequential, Line: k.Line}
	err := p.mapping(n, "data", dataKeys, func(key string, _, v *yaml.Node) error {
		s, err := p.str(v, "data: "+key)
		if err != nil {
			return err
		}
		switch key {
		case "file":
			if s == "" {
				return p.errf(v, "data: file must not be empty")
			}
			d.File = p.relative(s)
		case "order":
			if s != OrderSequential && s != OrderRandom && s != OrderUnique {
				return p.errf(v, "data: order must be sequential, random or unique, not %q", s)
			}
			d.Order = s
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.File == "" {
		return nil, p.errf(n, "data: file is required")
	}
	return d, nil
}

// relative resolves a path given in the profile against its directory.
func (p *parser) relative(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(p.file), path)
}
