package mix

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strings"

	"github.com/bploadgen/bploadgen/internal/placeholder"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
)

// MaxDataBytes bounds a data file: its rows are held in memory.
const MaxDataBytes = 256 << 20

// Table is a loaded data file: the columns its header row names and its
// rows, each with one value per column.
type Table struct {
	File    string
	Columns []string
	Rows    [][]string
	Order   string // profile.OrderSequential, OrderRandom or OrderUnique
}

// LoadData reads the data file of d.
func LoadData(d *profile.Data) (*Table, error) {
	f, err := os.Open(d.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseData(d.File, io.LimitReader(f, MaxDataBytes+1), d.Order)
}

// ParseData reads CSV with a header row; name is the file name for errors
// ("users.csv:3: ..."). Every row must have as many fields as the header.
func ParseData(name string, r io.Reader, order string) (*Table, error) {
	cr := csv.NewReader(&limited{r: r, n: MaxDataBytes})
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty: the first line must name the columns", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	t := &Table{File: name, Order: order}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			return nil, fmt.Errorf("%s:1: column %d has no name", name, i+1)
		}
		t.Columns = append(t.Columns, h)
	}
	if _, err := placeholder.NewCompiler(t.Columns); err != nil {
		return nil, fmt.Errorf("%s:1: %v", name, err)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		t.Rows = append(t.Rows, rec)
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", name)
	}
	return t, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "a different number of fields than the header row"
		}
		return fmt.Errorf("%s:%d: %s", name, pe.StartLine, msg)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// limited fails a read past n bytes instead of cutting the file silently.
type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		return k, fmt.Errorf("larger than %d MiB", MaxDataBytes>>20)
	}
	return k, err
}

// Row returns the row arrival seq reads: row seq mod rows (sequential), a
// draw from (seed, seq) (random), or row seq (unique; false past the last
// row).
func (t *Table) Row(seed, seq uint64) ([]string, bool) {
	n := uint64(len(t.Rows))
	switch t.Order {
	case profile.OrderRandom:
		i, _ := bits.Mul64(placeholder.Draw(seed, placeholder.StreamRow, seq), n)
		return t.Rows[i], true
	case profile.OrderUnique:
		if seq >= n {
			return nil, false
		}
		return t.Rows[seq], true
	}
	return t.Rows[seq%n], true
}

// Limit is the number of arrivals the table can serve: the rows for order
// unique, and no limit (ok false) otherwise.
func (t *Table) Limit() (n int64, ok bool) {
	if t.Order == profile.OrderUnique {
		return int64(len(t.Rows)), true
	}
	return 0, false
}

// CheckPlan refuses a plan of arrivals arrivals that order unique cannot
// serve, before the run starts.
func (t *Table) CheckPlan(arrivals int64) error {
	if n, ok := t.Limit(); ok && arrivals > n {
		return fmt.Errorf("%s: order unique gives each arrival its own row, but the plan has %d arrivals and the file %d rows", t.File, arrivals, n)
	}
	return nil
}

// AddSecrets adds the values of the secret-named columns (redact's rule) to
// s, so that every output hides them wherever they appear.
func (t *Table) AddSecrets(s *redact.Secrets) {
	for c, name := range t.Columns {
		if !redact.IsSecretColumn(name) {
			continue
		}
		for _, row := range t.Rows {
			s.Add(row[c])
		}
	}
}
