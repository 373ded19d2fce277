package config

// Table is an ordered set of named objects: running-config renders objects in
// the order they were created, and lookups by name must stay O(1) for configs
// with tens of thousands of rservers.
//
// Objects are stored by pointer and shared between clones; callers never
// mutate an object reached through Get. To change one, copy it, edit the
// copy and Put it back (copy-on-write), so a published Config never changes.
type Table[T any] struct {
	byName map[string]*T
	order  []string
}

// Len is the number of objects.
func (t *Table[T]) Len() int { return len(t.order) }

// Get returns the object called name, or nil.
func (t *Table[T]) Get(name string) *T {
	return t.byName[name]
}

// Put inserts or replaces the object called name. A new name goes last.
func (t *Table[T]) Put(name string, v *T) {
	if t.byName == nil {
		t.byName = make(map[string]*T)
	}
	if _, ok := t.byName[name]; !ok {
		t.order = append(t.order, name)
	}
	t.byName[name] = v
}

// Delete removes the object called name; it reports whether it existed.
func (t *Table[T]) Delete(name string) bool {
	if _, ok := t.byName[name]; !ok {
		return false
	}
	delete(t.byName, name)
	for i, n := range t.order {
		if n == name {
			// Copy instead of shifting in place: the backing array may be
			// shared with the Config this one was cloned from.
			order := make([]string, 0, len(t.order)-1)
			order = append(order, t.order[:i]...)
			t.order = append(order, t.order[i+1:]...)
			break
		}
	}
	return true
}

// Names returns the names in creation order. The slice must not be modified.
func (t *Table[T]) Names() []string { return t.order }

// All calls yield for each object in creation order.
func (t *Table[T]) All(yield func(name string, v *T) bool) {
	for _, n := range t.order {
		if !yield(n, t.byName[n]) {
			return
		}
	}
}

// Clone returns a table that shares the objects but not the index, so Put and
// Delete on the clone leave the original alone.
func (t Table[T]) Clone() Table[T] {
	c := Table[T]{order: t.order[:len(t.order):len(t.order)]}
	if t.byName != nil {
		c.byName = make(map[string]*T, len(t.byName))
		for k, v := range t.byName {
			c.byName[k] = v
		}
	}
	return c
}
