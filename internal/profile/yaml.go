package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// MaxFileSize bounds a profile file (bytes); profiles are small.
const MaxFileSize = 1 << 20

// Load reads and validates the profile file at path.
func Load(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data)
}

// Parse reads a profile from data; name is the file name used in errors.
func Parse(name string, data []byte) (*Profile, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes", MaxFileSize)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "empty profile"}
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: name, Line: extra.Line, Msg: "more than one YAML document"}
	}
	p := &parser{file: name}
	prof, err := p.document(&doc)
	if err != nil {
		return nil, err
	}
	prof.File = name
	return prof, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a yaml syntax error into "file:line: message".
func yamlError(name string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Msg: "invalid YAML: " + msg}
}

type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode && depth < 100; depth++ {
		n = n.Alias
	}
	return n
}

// mapping iterates the keys of a mapping node, rejecting duplicates and
// keys not in allowed.
func (p *parser) mapping(n *yaml.Node, what string, allowed []string, fn func(key string, k, v *yaml.Node) error) error {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return p.errf(n, "%s must be a mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			return p.errf(n.Content[i], "%s: keys must be plain names", what)
		}
		key := k.Value
		if !contains(allowed, key) {
			return p.errf(k, "unknown key %q in %s (known: %s)", key, what, strings.Join(allowed, ", "))
		}
		if seen[key] {
			return p.errf(k, "duplicate key %q in %s", key, what)
		}
		seen[key] = true
		if v == nil {
			return p.errf(k, "%s: no value", key)
		}
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var topKeys = []string{"target", "arrival", "seed", "max_in_flight", "stages", "profile", "assert", "requests", "data", "retry"}

func (p *parser) document(doc *yaml.Node) (*Profile, error) {
	root := doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, p.errf(doc, "empty profile")
		}
		root = doc.Content[0]
	}
	prof := &Profile{}
	var stagesNode, profileNode, requestsNode *yaml.Node
	err := p.mapping(root, "the profile", topKeys, func(key string, k, v *yaml.Node) error {
		switch key {
		case "target":
			return p.target(v, &prof.Request)
		case "arrival":
			s, err := p.str(v, key)
			if err != nil {
				return err
			}
			if s != "uniform" && s != "poisson" {
				return p.errf(v, "arrival must be uniform or poisson, not %q", s)
			}
			prof.Arrival = s
		case "seed":
			n, err := p.integer(v, key, math.MinInt64, math.MaxInt64)
			if err != nil {
				return err
			}
			prof.Seed, prof.HasSeed = n, true
		case "max_in_flight":
			n, err := p.integer(v, key, 1, 10_000_000)
			if err != nil {
				return err
			}
			prof.MaxInFlight = int(n)
		case "stages":
			if profileNode != nil {
				return p.errf(k, "both stages and profile: give one or the other")
			}
			stagesNode = k
			st, err := p.stages(v)
			if err != nil {
				return err
			}
			prof.Kind, prof.Stages, prof.RatesLine = "stages", st, k.Line
		case "profile":
			if stagesNode != nil {
				return p.errf(k, "both stages and profile: give one or the other")
			}
			profileNode = k
			sh, st, err := p.shape(v)
			if err != nil {
				return err
			}
			prof.Kind, prof.Stages, prof.Shape, prof.RatesLine = sh.Kind, st, sh, k.Line
		case "requests":
			requestsNode = k
			list, err := p.requests(v)
			if err != nil {
				return err
			}
			prof.Requests = list
		case "data":
			d, err := p.data(k, v)
			if err != nil {
				return err
			}
			prof.Data = d
		case "retry":
			r, err := p.retry(k, v)
			if err != nil {
				return err
			}
			prof.Retry = r
		case "assert":
			list, err := p.strings(v, key)
			if err != nil {
				return err
			}
			prof.Assert = list
			for _, c := range v.Content {
				prof.AssertLines = append(prof.AssertLines, c.Line)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r := prof.Request; requestsNode != nil && (r.Method != "" || r.Body != nil || r.BodyFile != "") {
		return nil, p.errf(requestsNode, "requests: the target's method and body would apply to no request: give them per request")
	}
	return prof, nil
}

var targetKeys = []string{"url", "method", "headers", "body", "body_file", "timeout"}

func (p *parser) target(n *yaml.Node, r *RequestSpec) error {
	var bodyKey *yaml.Node
	return p.mapping(n, "target", targetKeys, func(key string, k, v *yaml.Node) error {
		switch key {
		case "url":
			s, err := p.str(v, key)
			if err != nil {
				return err
			}
			if err := ValidateURL(s); err != nil {
				return p.errf(v, "%v", err)
			}
			r.URL = s
		case "method":
			s, err := p.str(v, key)
			if err != nil {
				return err
			}
			if err := ValidateMethod(s); err != nil {
				return p.errf(v, "%v", err)
			}
			r.Method = strings.ToUpper(s)
		case "headers":
			return p.headers(v, r)
		case "body", "body_file":
			if bodyKey != nil {
				return p.errf(k, "both body and body_file: give one or the other")
			}
			bodyKey = k
			s, err := p.str(v, key)
			if err != nil {
				return err
			}
			if key == "body" {
				r.Body = []byte(s)
			} else {
				r.BodyFile = s
			}
		case "timeout":
			d, err := p.duration(v, key)
			if err != nil {
				return err
			}
			r.Timeout = d
		}
		return nil
	})
}
