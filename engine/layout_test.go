package engine

import "testing"

func TestKindOf(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		want FileKind
	}{
		{"config", KindConfig},
		{"keys/" + id, KindKey},
		{"packs/01/" + id, KindPack},
		{"index/" + id, KindIndex},
		{"snapshots/" + id, KindSnapshot},
		{"locks/0123", KindLock},
		{"replicas.json", KindOther},
		{"snapshots/", KindOther}, // the folder itself
		{"configx", KindOther},
		{"other/" + id, KindOther},
	}
	for _, tt := range tests {
		if got := KindOf(tt.name); got != tt.want {
			t.Errorf("KindOf(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	for k, want := range map[FileKind]string{KindConfig: "config", KindPack: "packs", KindSnapshot: "snapshots", KindOther: "other"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}
