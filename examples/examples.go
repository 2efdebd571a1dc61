// Package examples holds the example plan that ships inside the binary, so
// that a first run with no configuration has a real plan to show.
package examples

import _ "embed"

// FjordvikName is the example plan's file name, for messages.
const FjordvikName = "examples/fjordvik.yaml"

// Fjordvik is the example plan: the fictional Fjordvik kommune's thematic
// plan for housing and welfare, built on the national housing goals.
//
//go:embed fjordvik.yaml
var Fjordvik []byte
