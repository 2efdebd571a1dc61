package store

import (
	"context"
	"fmt"
	"strings"
)

// Bulk writes for synthetic data (the demo seeder and the digest's
// benchmark): rows go in many to a statement, and the seeding as a whole is
// audited once, by the caller, instead of row by row.

// seedTables are the tables InsertRows may write.
var seedTables = map[string]bool{
	"suggestions": true, "measures": true, "measure_suggestions": true, "measure_tasks": true, "hearings": true,
	"hearing_items": true, "votes": true, "hearing_comments": true, "approvals": true, "invitations": true,
}

// maxParams keeps a statement under both databases' limits on parameters.
const maxParams = 30000

// InsertRows inserts rows into one of the plan's tables, many to a
// statement. Columns are named by the caller; values must match them.
func (tx *Tx) InsertRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	if !seedTables[table] {
		return fmt.Errorf("store: bulk insert into %s is not allowed", table)
	}
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(columns))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(columns, ", "))
		args := make([]any, 0, len(chunk)*len(columns))
		for i, r := range chunk {
			if len(r) != len(columns) {
				return fmt.Errorf("store: bulk insert into %s: row has %d values for %d columns", table, len(r), len(columns))
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: bulk insert into %s: %w", table, err)
		}
	}
	return nil
}

// IDs lists the IDs of a plan's rows in one of the tables that have a
// plan_id, in order.
func (tx *Tx) IDs(ctx context.Context, table string, planID int64) ([]int64, error) {
	if table != "suggestions" && table != "measures" && table != "hearings" && table != "actors" {
		return nil, fmt.Errorf("store: no IDs of %s", table)
	}
	var ids []int64
	if err := tx.sel(ctx, &ids, `SELECT id FROM `+table+` WHERE plan_id = ? ORDER BY id`, planID); err != nil {
		return nil, fmt.Errorf("store: ids of %s: %w", table, err)
	}
	return ids, nil
}

// RecordSeed audits a seeding of synthetic data.
func (tx *Tx) RecordSeed(ctx context.Context, by By, planID int64, counts any) error {
	return tx.audit(ctx, planID, by, "demo.seed", "plan", planID, nil, counts)
}
