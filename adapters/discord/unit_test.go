package discord

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/internal/textsplit"
)

func TestIntentsAndPermissionsAreTheMinimalOnes(t *testing.T) {
	if Intents != 46592 {
		t.Errorf("intents = %d, want 46592 (guild messages, guild reactions, DMs, DM reactions, message content)", Intents)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "permissions="+strconv.FormatInt(Permissions, 10)) {
		t.Errorf("the README's invite URL does not carry the permission integer %d", Permissions)
	}
}

func TestNeutralise(t *testing.T) {
	cases := map[string]string{
		"hei @everyone og @here":      "hei @\u200beveryone og @\u200bhere",
		"<@119000000000000010>":       "<@\u200b119000000000000010>",
		"<@!119000000000000010>":      "<@\u200b!119000000000000010>",
		"<@&119000000000000010>":      "<@\u200b&119000000000000010>",
		"e-post: kari@example.no":     "e-post: kari@example.no",
		"40 boliger innen 2030 @ 10%": "40 boliger innen 2030 @ 10%",
	}
	for in, want := range cases {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitAndRows(t *testing.T) {
	long := strings.Repeat("Avsnitt.\n\n", 300)
	for _, part := range textsplit.Split(long, contentLimit) {
		if n := len([]rune(part)); n > contentLimit || n == 0 {
			t.Errorf("part of %d characters", n)
		}
	}
	if got := rows(nil); got == nil || len(got) != 0 {
		t.Errorf("no choices must be an empty list (removes buttons on edit), got %v", got)
	}
}
