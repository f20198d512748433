package result

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// NonFinite finds a NaN or infinite number in x (a *Result, a *Stage, a
// *Window), which JSON cannot hold, and names it by its keys
// ("stages[0].in_flight_mean").
func NonFinite(x any) (field string, v float64, ok bool) {
	path, hit, ok := find(reflect.ValueOf(x), func(v reflect.Value) bool {
		if v.Kind() != reflect.Float64 {
			return false
		}
		f := v.Float()
		return math.IsNaN(f) || math.IsInf(f, 0)
	})
	if !ok {
		return "", 0, false
	}
	return path, hit.Float(), true
}

// CountOutside finds an integer in x (a count: requests, statuses,
// attempts) below lo or above hi, and names it by its keys.
func CountOutside(x any, lo, hi int64) (field string, n int64, ok bool) {
	path, hit, ok := find(reflect.ValueOf(x), func(v reflect.Value) bool {
		switch v.Kind() {
		case reflect.Int, reflect.Int64:
			return v.Int() < lo || v.Int() > hi
		}
		return false
	})
	if !ok {
		return "", 0, false
	}
	return path, hit.Int(), true
}

// find walks v (pointers, structs, maps and slices: the fields JSON
// writes) for the first value match accepts, and returns its path of keys
// ("stages[0].in_flight_mean", `scrape["x"]`).
func find(v reflect.Value, match func(reflect.Value) bool) (string, reflect.Value, bool) {
	path, hit, ok := walk(v, match)
	return strings.TrimPrefix(path, "."), hit, ok
}

func walk(v reflect.Value, match func(reflect.Value) bool) (string, reflect.Value, bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return walk(v.Elem(), match)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || key == "-" {
				continue // not in the document
			}
			if key == "" {
				key = sf.Name
			}
			if sub, hit, ok := walk(v.Field(i), match); ok {
				return "." + key + sub, hit, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if sub, hit, ok := walk(it.Value(), match); ok {
				return fmt.Sprintf("[%q]", fmt.Sprint(it.Key().Interface())) + sub, hit, true
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if sub, hit, ok := walk(v.Index(i), match); ok {
				return fmt.Sprintf("[%d]", i) + sub, hit, true
			}
		}
	default:
		if match(v) {
			return "", v, true
		}
	}
	return "", reflect.Value{}, false
}
