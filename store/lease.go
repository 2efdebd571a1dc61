package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimLease takes the named lease for holder until now+ttl, if no one else
// holds it; it reports whether holder has it now. A holder may renew its
// own lease.
func (s *Store) ClaimLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got bool
	err := s.InTx(ctx, func(tx *Tx) error {
		t := now()
		res, err := tx.exec(ctx, `INSERT INTO job_leases (name, holder, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE job_leases.until < ? OR job_leases.holder = excluded.holder`, name, holder, t.Add(ttl), t)
		if err != nil {
			return fmt.Errorf("store: claim lease %s: %w", name, err)
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// ReleaseLease gives up a lease holder has.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM job_leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
