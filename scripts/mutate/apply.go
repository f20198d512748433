package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Locate returns the byte span [start, end) of the declaration of fn
// ("Func" or "Type.Method", receiver without *) in the Go source src.
func Locate(filename string, src []byte, fn string) (start, end int, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return 0, 0, err
	}
	recv, name, isMethod := strings.Cut(fn, ".")
	if !isMethod {
		recv, name = "", fn
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != name || receiverType(fd) != recv {
			continue
		}
		return fset.Position(fd.Pos()).Offset, fset.Position(fd.End()).Offset, nil
	}
	return 0, 0, fmt.Errorf("%s: no func %s", filename, fn)
}

// receiverType is the receiver's type name without * or type parameters,
// "" for a function.
func receiverType(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// Apply returns src with m.From replaced by m.To inside m.Func, and an
// error unless m.From occurs exactly once there or the result does not
// parse.
func Apply(m Mutation, src []byte) ([]byte, error) {
	start, end, err := Locate(m.File, src, m.Func)
	if err != nil {
		return nil, err
	}
	body := src[start:end]
	switch n := bytes.Count(body, []byte(m.From)); n {
	case 1:
	case 0:
		return nil, fmt.Errorf("%q does not occur in %s", m.From, m.Func)
	default:
		return nil, fmt.Errorf("%q occurs %d times in %s, want once", m.From, n, m.Func)
	}
	i := start + bytes.Index(body, []byte(m.From))
	out := make([]byte, 0, len(src)-len(m.From)+len(m.To))
	out = append(append(append(out, src[:i]...), m.To...), src[i+len(m.From):]...)
	if _, err := parser.ParseFile(token.NewFileSet(), m.File, out, parser.SkipObjectResolution); err != nil {
		return nil, fmt.Errorf("the mutated file does not parse: %w", err)
	}
	return out, nil
}

// copyRepo copies the files git knows in dir (tracked, and untracked but
// not ignored) to a new temporary directory and returns its path.
func copyRepo(dir string) (string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = dir
	list, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git ls-files in %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp("", "bploadgen-mutate-")
	if err != nil {
		return "", err
	}
	for _, rel := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if err := copyFile(filepath.Join(dir, rel), filepath.Join(tmp, rel)); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	return tmp, nil
}

// copyFile copies a regular file, making its directory; a file listed by
// git but deleted in the work tree is skipped.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
