package store

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestRequestIncludeRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	uid, err := c.CreateUser(ctx, User{Name: "ani", Role: "staff", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	jid, err := c.CreateJob(ctx, Job{Name: "erp", Repository: "/r", ScheduleKind: "window", State: "approved", CreatedBy: uid})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		include []string
		update  []string
	}{
		{"whole snapshot", nil, []string{"/data/a.txt"}},
		{"two paths", []string{"/data/docs", "/data/a b.txt"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := c.CreateRequest(ctx, Request{Kind: "restore", JobID: jid, RequesterID: uid, Reason: "r", State: "draft", Include: tc.include})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.RequestByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Include, tc.include) {
				t.Errorf("Include = %q, want %q", got.Include, tc.include)
			}
			got.Include = tc.update
			if err := c.UpdateRequest(ctx, got); err != nil {
				t.Fatal(err)
			}
			again, err := c.RequestByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(again.Include, tc.update) {
				t.Errorf("after update Include = %q, want %q", again.Include, tc.update)
			}
		})
	}
}

func TestReplicaStateUpsert(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	uid, err := c.CreateUser(ctx, User{Name: "ani", Role: "staff", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	jid, err := c.CreateJob(ctx, Job{Name: "erp", Repository: "/r", ScheduleKind: "window", State: "approved", CreatedBy: uid})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 21, 14, 0, 0, time.Local) // the catalog hands out local times
	steps := []ReplicaState{
		{JobID: jid, Name: "gdrive", URL: "rclone:gd:erp", Status: "ok", LastAttempt: t0, LastSync: t0, LagKnown: true},
		{JobID: jid, Name: "gdrive", URL: "rclone:gd:erp", Status: "failed", Error: "quota", LastAttempt: t0.Add(24 * time.Hour),
			LastSync: t0, LagKnown: true, MissingSnapshots: 1, MissingFiles: 3, MissingBytes: 4096},
	}
	for i, want := range steps {
		if err := c.SaveReplicaState(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReplicaStates(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got["gdrive"], want) {
			t.Errorf("step %d: states = %+v, want only %+v", i, got, want)
		}
	}
}
