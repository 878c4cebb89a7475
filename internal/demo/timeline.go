package demo

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"ggzy/internal/clock"
)

// maxLate: every step happens at one instant and is queued for a time
// not yet passed, so a step that runs late is a bug in the demo.
const maxLate = time.Minute

// timeline runs the demo's actions in time order. The services stamp
// everything they write — project codes, due times, notice publication,
// audit events — with their clock, so the demo moves a fake clock forward
// from one action to the next and never back: 2024's projects get 2024
// timestamps, and the audit log is appended in time order. Each project
// queues its next step when it finishes one, so the steps of a thousand
// projects interleave as they would have in real life.
type timeline struct {
	clk   *clock.Fake
	end   time.Time // the present: nothing at or after it happens
	queue tasks
	seq   int
}

type task struct {
	at  time.Time
	seq int // ties run in the order they were queued, so runs are repeatable
	run func(context.Context) error
}

type tasks []task

func (q tasks) Len() int { return len(q) }
func (q tasks) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q tasks) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *tasks) Push(x any)   { *q = append(*q, x.(task)) }
func (q *tasks) Pop() any {
	old := *q
	t := old[len(old)-1]
	*q = old[:len(old)-1]
	return t
}

// at queues f to run at t (or as soon as the clock allows, if t has
// already passed).
func (tl *timeline) at(t time.Time, f func(context.Context) error) {
	tl.seq++
	heap.Push(&tl.queue, task{at: t, seq: tl.seq, run: f})
}

// now is the timeline's current instant.
func (tl *timeline) now() time.Time { return tl.clk.Now() }

// run performs every queued action before the end, in time order. Actions
// due at or after the end have not happened yet and are dropped.
func (tl *timeline) run(ctx context.Context) error {
	for tl.queue.Len() > 0 {
		t := heap.Pop(&tl.queue).(task)
		if !t.at.Before(tl.end) {
			continue
		}
		if t.at.After(tl.clk.Now()) {
			tl.clk.Set(t.at)
		}
		if late := tl.clk.Now().Sub(t.at); late > maxLate {
			return fmt.Errorf("demo: a step due at %s ran %v late", clock.Format(t.at), late)
		}
		if err := t.run(ctx); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
