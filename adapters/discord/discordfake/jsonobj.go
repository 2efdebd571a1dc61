package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// object is a JSON object that keeps its keys in order, so that payloads
// built from the recorded Discord fixtures keep the fixtures' key order and
// the bytes on the wire look like Discord's. Values are *object, []any,
// string, json.Number, bool, nil, json.RawMessage, or anything encoding/json
// can marshal. (The same helper as slackfake's; the packages share no code.)
type object struct {
	keys []string
	vals map[string]any
}

// obj builds an object from key/value pairs: obj("id", id, "type", 0).
func obj(kv ...any) *object {
	o := &object{vals: make(map[string]any, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

func (o *object) get(k string) any { return o.vals[k] }

func (o *object) has(k string) bool {
	_, ok := o.vals[k]
	return ok
}

// set replaces k's value in place, or appends k if it is new.
func (o *object) set(k string, v any) *object {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

// insertBefore sets k to v just before the key before, or at the end if
// before is absent; an existing k is moved.
func (o *object) insertBefore(before, k string, v any) *object {
	o.del(k)
	i := slices.Index(o.keys, before)
	if i < 0 {
		return o.set(k, v)
	}
	o.keys = slices.Insert(o.keys, i, k)
	o.vals[k] = v
	return o
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	o.keys = slices.DeleteFunc(o.keys, func(key string) bool { return key == k })
}

// child returns the object stored at k, creating an empty one if k is absent
// or not an object.
func (o *object) child(k string) *object {
	if c, ok := o.vals[k].(*object); ok {
		return c
	}
	c := obj()
	o.set(k, c)
	return c
}

// clone returns a deep copy of o (objects and arrays; leaves are immutable).
func (o *object) clone() *object {
	c := &object{keys: slices.Clone(o.keys), vals: make(map[string]any, len(o.vals))}
	for k, v := range o.vals {
		c.vals[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case *object:
		return v.clone()
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case json.RawMessage:
		return slices.Clone(v)
	}
	return v
}

func (o *object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeValue(&buf, o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// marshal encodes v without HTML escaping (Discord sends "<@123>" literally).
func marshal(v any) []byte {
	var buf bytes.Buffer
	if err := encodeValue(&buf, v); err != nil {
		panic(fmt.Sprintf("discordfake: encode JSON: %v", err))
	}
	return buf.Bytes()
}

func encodeValue(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case *object:
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

// parseJSON decodes b into ordered values (*object, []any, json.Number, …).
func parseJSON(b []byte) (any, error) {
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

// parseObject decodes b, which must hold a JSON object.
func parseObject(b []byte) (*object, error) {
	v, err := parseJSON(b)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*object)
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
			o := obj()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(kt.(string), v)
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

// str returns v as a string, or "" if it is not one.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// num returns v (a json.Number or Go number) as an int64; ok is false for
// anything else.
func num(v any) (int64, bool) {
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

// arr returns v as a JSON array, or nil.
func arr(v any) []any {
	a, _ := v.([]any)
	return a
}
