// Package jsonobj is an ordered JSON object for the fake chat servers
// (adapters/discord/discordfake and adapters/slack/slackfake). They build
// their payloads from recorded fixtures; keeping the fixtures' key order
// makes the bytes on the wire look like the real platform's.
package jsonobj

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Object is a JSON object that keeps its keys in order. Values are *Object,
// []any, string, json.Number, bool, nil, json.RawMessage, or anything
// encoding/json can marshal.
type Object struct {
	keys []string
	vals map[string]any
}

// New builds an object from key/value pairs: New("id", id, "type", 0).
// Keys must be strings; a trailing key without a value is ignored.
func New(kv ...any) *Object {
	o := &Object{vals: make(map[string]any, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// Get returns k's value, or nil if k is absent.
func (o *Object) Get(k string) any { return o.vals[k] }

// Has reports whether o has the key k.
func (o *Object) Has(k string) bool {
	_, ok := o.vals[k]
	return ok
}

// Keys returns o's keys in order (a copy).
func (o *Object) Keys() []string { return slices.Clone(o.keys) }

// Set replaces k's value in place, or appends k if it is new. It returns o.
func (o *Object) Set(k string, v any) *Object {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

// InsertBefore sets k to v just before the key before, or at the end if
// before is absent; an existing k is moved. It returns o.
func (o *Object) InsertBefore(before, k string, v any) *Object {
	o.Del(k)
	i := slices.Index(o.keys, before)
	if i < 0 {
		return o.Set(k, v)
	}
	o.keys = slices.Insert(o.keys, i, k)
	o.vals[k] = v
	return o
}

// Del removes k, if present.
func (o *Object) Del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	o.keys = slices.DeleteFunc(o.keys, func(key string) bool { return key == k })
}

// Child returns the object stored at k, creating an empty one (appended at
// the end, or replacing the value in place) if k is absent or not an object.
func (o *Object) Child(k string) *Object {
	if c, ok := o.vals[k].(*Object); ok {
		return c
	}
	c := New()
	o.Set(k, c)
	return c
}

// Clone returns a deep copy of o (objects, arrays and raw JSON are copied;
// other leaves are immutable and shared).
func (o *Object) Clone() *Object {
	c := &Object{keys: slices.Clone(o.keys), vals: make(map[string]any, len(o.vals))}
	for k, v := range o.vals {
		c.vals[k] = CloneValue(v)
	}
	return c
}

// CloneValue returns a deep copy of a value held in an Object, as Clone
// does.
func CloneValue(v any) any {
	switch v := v.(type) {
	case *Object:
		return v.Clone()
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = CloneValue(e)
		}
		return out
	case json.RawMessage:
		return slices.Clone(v)
	}
	return v
}

// MarshalJSON encodes o in key order. encoding/json escapes HTML in the
// result unless told not to; Marshal does not.
func (o *Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeValue(&buf, o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Marshal encodes v compactly, objects in key order and without HTML
// escaping (the platforms send "<@123>" literally).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeValue(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeValue(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case *Object:
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeValue(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := encodeValue(buf, v.vals[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeValue(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case json.RawMessage:
		if len(v) == 0 {
			buf.WriteString("null")
			return nil
		}
		return json.Compact(buf, v)
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
	return nil
}

// Parse decodes b into ordered values: *Object, []any, string, json.Number,
// bool or nil. Anything after the first value is an error.
func Parse(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// ParseObject decodes b, which must hold a JSON object.
func ParseObject(b []byte) (*Object, error) {
	v, err := Parse(b)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("JSON value is not an object")
	}
	return o, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := New()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.Set(kt.(string), v)
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ']'
			return a, err
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	default:
		return t, nil
	}
}

// Str returns v as a string, or "" if it is not one.
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Num returns v (a json.Number or a Go int, int64 or float64) as an int64;
// ok is false for anything else. A json.Number that is not an integer is
// truncated towards zero.
func Num(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			return int64(f), ferr == nil
		}
		return i, true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// Arr returns v as a JSON array, or nil if it is not one.
func Arr(v any) []any {
	a, _ := v.([]any)
	return a
}
