package main

import (
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

func TestParseShard(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "JOB_COMPLETION_INDEX" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		in, idx string
		want    schedule.Shard
		bad     bool
	}{
		{"", "", schedule.Shard{}, false},
		{"2/4", "", schedule.Shard{Index: 2, Count: 4}, false},
		{" 1 / 1 ", "", schedule.Shard{Index: 1, Count: 1}, false},
		{"auto/4", "0", schedule.Shard{Index: 1, Count: 4}, false}, // Indexed Jobs count from 0
		{"auto/4", "3", schedule.Shard{Index: 4, Count: 4}, false},
		{"auto/4", "4", schedule.Shard{}, true},
		{"auto/4", "", schedule.Shard{}, true},
		{"0/4", "", schedule.Shard{}, true},
		{"5/4", "", schedule.Shard{}, true},
		{"2", "", schedule.Shard{}, true},
		{"a/b", "", schedule.Shard{}, true},
	}
	for _, tt := range tests {
		got, err := parseShard(tt.in, env(tt.idx))
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("parseShard(%q, JOB_COMPLETION_INDEX=%q) = %+v, %v", tt.in, tt.idx, got, err)
		}
	}
}

func TestParseStartAt(t *testing.T) {
	want := time.Date(2026, 11, 23, 10, 0, 0, 500_000_000, time.UTC)
	for _, in := range []string{"2026-11-23T10:00:00.5Z", "1795428000.5"} {
		got, err := parseStartAt(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseStartAt(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"tomorrow", "-5", "1e20"} {
		if _, err := parseStartAt(bad); err == nil {
			t.Errorf("parseStartAt(%q) accepted", bad)
		}
	}
	if got, err := parseStartAt(""); err != nil || !got.IsZero() {
		t.Errorf("empty: %v %v", got, err)
	}
}
