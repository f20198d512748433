package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// as429 turns a result's 503s into 429s (a rate limiter's status).
func as429(r *result.Result) { recode(r, "503", "429") }

// recode turns a result's answers of one status into another.
func recode(r *result.Result, from, to string) {
	move := func(st map[string]int64) {
		if n := st[from]; n > 0 {
			st[to] += n
			delete(st, from)
		}
	}
	for i := range r.Stages {
		move(r.Stages[i].Status)
	}
	move(r.Total.Status)
	for i := range r.Timeline {
		move(r.Timeline[i].Status)
	}
}

// A 429 is a shed response, as block_ratio counts it: the tables' shed
// column (headed "503/429" when there are 429s) holds it, not "other",
// and the Markdown's "errors" column does not (against HAProxy denying
// with 429 they read "503 0%" and "errors 73.4%"). The CSV keeps to its
// column names: status_503 is 503s only, 429s are in status_other.
func TestShed429(t *testing.T) {
	r := loadFixture(t)
	shed := r.Total.Status["503"]
	if shed == 0 {
		t.Fatal("the fixture has no 503s to turn into 429s")
	}
	var md0, rd0 bytes.Buffer
	if err := WriteMarkdown(&md0, r); err != nil {
		t.Fatal(err)
	}
	if err := Reading(&rd0, r); err != nil {
		t.Fatal(err)
	}
	as429(r)
	var txt, md, cs bytes.Buffer
	if err := Text(&txt, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&cs, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "503/429") {
		t.Errorf("text: no 503/429 column:\n%s", txt.String())
	}
	// The same Markdown as with 503s, the column and the summary's label
	// aside.
	want := strings.Replace(strings.Replace(md0.String(), "| 2xx | 503 | errors |", "| 2xx | 503/429 | errors |", 1), " · 503 ", " · 503/429 ", 1)
	if md.String() != want {
		t.Errorf("markdown: the 429s are not shed:\n%s\nwant\n%s", md.String(), want)
	}
	// The reading says the same of 429s as of 503s ("rejects reached
	// 0%" and "answered 503" before), in the shed column's words.
	var rd bytes.Buffer
	if err := Reading(&rd, r); err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(rd0.String(), "answered 503 and", "answered 503/429 and"); rd.String() != want {
		t.Errorf("reading:\n%s\nwant\n%s", rd.String(), want)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var n503, other int64
	for _, row := range rows[1:] {
		n503 += atoi(t, row[col["status_503"]])
		other += atoi(t, row[col["status_other"]])
	}
	if n503 != 0 || other < shed {
		t.Errorf("csv: status_503 %d, status_other %d; want 0 and the %d 429s", n503, other, shed)
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
