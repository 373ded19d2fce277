package clock

import (
	"sync"
	"testing"
	"time"
)

func TestManual(t *testing.T) {
	tests := []struct {
		name  string
		start time.Duration
		steps []time.Duration
		want  int64
	}{
		{"zero", 0, nil, 0},
		{"start only", 5 * time.Second, nil, int64(5 * time.Second)},
		{"steps add up", time.Second, []time.Duration{time.Millisecond, 0, time.Hour},
			int64(time.Second + time.Millisecond + time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewManual(tt.start)
			for _, d := range tt.steps {
				m.Advance(d)
			}
			if got := m.Nanotime(); got != tt.want {
				t.Fatalf("Nanotime() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestManualNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Advance(-1) did not panic")
		}
	}()
	NewManual(0).Advance(-1)
}

func TestManualConcurrent(t *testing.T) {
	m := NewManual(0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(0)
			for range 1000 {
				m.Advance(time.Nanosecond)
				now := m.Nanotime()
				if now < last {
					t.Errorf("clock went back: %d after %d", now, last)
					return
				}
				last = now
			}
		}()
	}
	wg.Wait()
	if got := m.Nanotime(); got != 4000 {
		t.Fatalf("Nanotime() = %d, want 4000", got)
	}
}

func TestRealMonotonic(t *testing.T) {
	r := NewReal()
	a := r.Nanotime()
	b := r.Nanotime()
	if a < 0 || b < a {
		t.Fatalf("readings %d then %d: want 0 <= a <= b", a, b)
	}
}

func BenchmarkRealNanotime(b *testing.B) {
	r := NewReal()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Nanotime()
	}
}
