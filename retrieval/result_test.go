package retrieval

import (
	"encoding/json"
	"maps"
	"testing"
)

// AltRanks writes, and maps, the ranks as the map it replaced did: an
// object of the fields that ranked the passage, left out when none did.
func TestAltRanks(t *testing.T) {
	for _, tt := range []struct {
		a    AltRanks
		m    map[string]int
		json string
	}{
		{AltRanks{}, nil, ``},
		{AltRanks{Questions: 3}, map[string]int{FieldQuestions: 3}, `{"questions":3}`},
		{AltRanks{Translation: 12}, map[string]int{FieldTranslation: 12}, `{"translation":12}`},
		{AltRanks{Translation: 1, Questions: 50}, map[string]int{FieldTranslation: 1, FieldQuestions: 50}, `{"questions":50,"translation":1}`},
	} {
		if m := tt.a.Map(); !maps.Equal(m, tt.m) || (m == nil) != (tt.m == nil) {
			t.Errorf("%+v.Map() = %v, want %v", tt.a, m, tt.m)
		}
		b, err := json.Marshal(Result{AltRanks: tt.a})
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &fields); err != nil {
			t.Fatal(err)
		}
		if got := string(fields["alt_ranks"]); got != tt.json {
			t.Errorf("%+v in a Result's JSON: alt_ranks %q, want %q", tt.a, got, tt.json)
		}
	}
}
