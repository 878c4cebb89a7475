package draw

import (
	"context"
	"sync"

	"ggzy/internal/audit"
	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/platform"
	"ggzy/internal/tender"
)

// trail collects the audit events of one use case on one draw, in order,
// and appends them together at its end (audit.Log.AppendAll): the same
// events in the same order as recording each at once, in a fixed number
// of statements, and the log's append lock is held only from then to the
// commit.
type trail struct {
	s      *Service
	id     string
	region string
	ind    string
	events []audit.Event
}

// trail starts the trail of a use case on draw r of project p.
func (s *Service) trail(r row, p tender.Project) *trail {
	return &trail{s: s, id: itoa(r.ID), region: p.RegionCode, ind: p.Industry}
}

// add notes the event action by a with details (as platform.Base.Record).
func (t *trail) add(a auth.Actor, action string, details map[string]any) {
	t.events = append(t.events, audit.Event{ActorID: a.UserID, ActorName: platform.ActorName(a), OrgID: a.OrgID, IP: a.IP,
		Action: action, ObjectType: "draw", ObjectID: t.id, Region: t.region, Industry: t.ind, Details: details})
}

// flush appends the events noted so far, inside tx.
func (t *trail) flush(ctx context.Context, tx *db.Tx) error {
	if len(t.events) == 0 {
		return nil
	}
	_, err := t.s.Audit.AppendAll(ctx, tx, t.events)
	t.events = nil
	return err
}

// poolCache keeps the decoded pools of recent draws by pool digest. A
// committed draw's pool never changes and its digest names its content,
// so the cache needs no invalidation: each call-out step on this node
// finds the pools without reading and decoding the stored encoding (tens
// of kilobytes for a large pool). Other nodes read it once.
type poolCache struct {
	mu sync.Mutex
	m  map[[32]byte][]Pool
	// order of insertion, for eviction
	keys [][32]byte
}

// poolCacheSize bounds the cache: draws being called out at once.
const poolCacheSize = 64

func (c *poolCache) get(digest [32]byte) ([]Pool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[digest]
	return p, ok
}

// put remembers pools under digest (the SM3 of their encoding). Callers
// never change a cached slice (NewSequence copies the ids).
func (c *poolCache) put(digest [32]byte, pools []Pool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[32]byte][]Pool{}
	}
	if _, ok := c.m[digest]; ok {
		return
	}
	if len(c.keys) >= poolCacheSize {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.m[digest] = pools
	c.keys = append(c.keys, digest)
}

func (c *poolCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.keys = nil, nil
}
