package jsonobj

import (
	"encoding/json"
	"slices"
	"testing"
)

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseMarshalKeepsKeyOrder(t *testing.T) {
	in := `{"z": 1, "a": {"y": [true, null, 1.50, "<@U1> & co"], "b": {}}, "m": []}`
	o, err := ParseObject([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z":1,"a":{"y":[true,null,1.50,"<@U1> & co"],"b":{}},"m":[]}`
	if got := mustMarshal(t, o); got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	// encoding/json keeps the order but escapes HTML in what MarshalJSON gave.
	wantStd := `{"z":1,"a":{"y":[true,null,1.50,"\u003c@U1\u003e \u0026 co"],"b":{}},"m":[]}`
	if got, err := json.Marshal(o); err != nil || string(got) != wantStd {
		t.Errorf("json.Marshal = %s, %v; want %s", got, err, wantStd)
	}
	if n, ok := Num(o.Get("z")); !ok || n != 1 {
		t.Errorf("Num(z) = %d, %v", n, ok)
	}
	if s := Str(Arr(o.Child("a").Get("y"))[3]); s != "<@U1> & co" {
		t.Errorf("Str = %q", s)
	}
	for _, bad := range []string{`[1]`, `{"a":1} {}`, `{"a":`} {
		if _, err := ParseObject([]byte(bad)); err == nil {
			t.Errorf("ParseObject(%s) succeeded", bad)
		}
	}
}

func TestEditing(t *testing.T) {
	o := New("id", "1", "type", 0, "text", "hei")
	o.Set("type", 2)                     // in place
	o.Set("new", true)                   // appended
	o.InsertBefore("text", "ts", "1.0")  // inserted
	o.InsertBefore("id", "new", false)   // moved
	o.InsertBefore("absent", "end", nil) // appended
	o.Del("id")
	o.Del("absent")
	o.Child("meta").Set("k", json.RawMessage(`{ "x" : 1 }`))
	want := `{"new":false,"type":2,"ts":"1.0","text":"hei","end":null,"meta":{"k":{"x":1}}}`
	if got := mustMarshal(t, o); got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	if keys := o.Keys(); !slices.Equal(keys, []string{"new", "type", "ts", "text", "end", "meta"}) {
		t.Errorf("Keys = %q", keys)
	}
	if o.Has("id") || !o.Has("end") {
		t.Errorf("Has: id %v, end %v", o.Has("id"), o.Has("end"))
	}
}

func TestCloneIsDeep(t *testing.T) {
	o := New("a", []any{New("b", 1)}, "raw", json.RawMessage(`[1]`))
	before := mustMarshal(t, o)
	c := o.Clone()
	c.Set("x", 1)
	Arr(c.Get("a"))[0].(*Object).Set("b", 2)
	c.Get("raw").(json.RawMessage)[1] = '2'
	if got := mustMarshal(t, o); got != before {
		t.Errorf("changing the clone changed the original: %s, was %s", got, before)
	}
}
