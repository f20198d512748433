package result

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSetRetryRates(t *testing.T) {
	st := Stage{StartS: 10, EndS: 14, Scheduled: 40, Sent: 38, NotSent: 2, Status: map[string]int64{"200": 30, "503": 8}}
	st.SetRetryRates()
	if st.Amplification != nil || st.GoodputRPS != nil {
		t.Fatal("rates set without attempts")
	}
	st.Attempts = &Attempts{Count: 70, Retries: 32, Status: map[string]int64{"200": 30, "503": 40}}
	st.SetRetryRates()
	if *st.Amplification != 70.0/40 || *st.GoodputRPS != 30.0/4 {
		t.Errorf("amplification %v goodput %v", *st.Amplification, *st.GoodputRPS)
	}
	if !st.AttemptsConserved() {
		t.Error("conserved counts judged not conserved")
	}
	st.Attempts.Retries = 31 // Count − Retries = 39 ≠ Sent 38
	if st.AttemptsConserved() {
		t.Error("a lost first attempt judged conserved")
	}
	empty := Stage{}
	empty.Attempts = &Attempts{}
	empty.SetRetryRates()
	if *empty.Amplification != 0 || *empty.GoodputRPS != 0 {
		t.Error("an empty stage's rates are not 0")
	}
}

func TestRetryPolicyMaxDelay(t *testing.T) {
	p := RetryPolicy{BackoffMaxS: 5, After: "honor", AfterMaxS: 30}
	if p.MaxDelay() != 30*time.Second {
		t.Errorf("honoured: %v", p.MaxDelay())
	}
	p.After = "ignore"
	if p.MaxDelay() != 5*time.Second {
		t.Errorf("ignored: %v", p.MaxDelay())
	}
	p.After, p.AfterMaxS = "honor", 1
	if p.MaxDelay() != 5*time.Second {
		t.Errorf("a Retry-After cap below the backoff cap: %v", p.MaxDelay())
	}
}

// TestRetryFieldsOmitted: without retries none of the new keys is written,
// so results without retries read and write as before.
func TestRetryFieldsOmitted(t *testing.T) {
	r := &Result{Stages: []Stage{{}}, Timeline: []Window{{}}, Analysis: &Analysis{}}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"attempts"`, `"amplification"`, `"goodput_rps"`, `"retry_policy"`, `"metastability"`} {
		if strings.Contains(b.String(), k) {
			t.Errorf("%s written without retries", k)
		}
	}
	r.RetryPolicy = &RetryPolicy{On: "503", Max: 1}
	r.Stages[0].Attempts = &Attempts{}
	r.Stages[0].SetRetryRates()
	b.Reset()
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !back.Retried() || back.Stages[0].Attempts == nil || back.Stages[0].Amplification == nil || *back.Stages[0].GoodputRPS != 0 {
		t.Errorf("round trip lost the retry fields: %s", b.String())
	}
}
