//! Small-count suppression for the reports per wijk (issue 14): a count below the threshold is
//! shown as "<5", and further cells are hidden ("complementary suppression") so that a hidden
//! count cannot be worked out from the totals and the other cells.
//!
//! A table is its inner cells plus row totals, column totals and the grand total: each row and
//! each column is a sum that readers can check, so every hidden entry must stay undetermined by
//! those sums. Three rules, applied until nothing changes:
//! 1. every count below the threshold is hidden (primary suppression);
//! 2. a sum with exactly one hidden entry gets a second one (its smallest visible entry,
//!    an inner cell before the total), since one unknown in a known sum is no secret;
//! 3. where a sum's hidden inner cells add up to less than the threshold, another is hidden:
//!    otherwise "these two together are 3" would still tell too much;
//!
//! and then a check by linear algebra that no hidden entry is fixed by all the sums together
//! (hiding one more where it is). Hidden sums are what protect a table; they are shown as "<5"
//! only when they are themselves small, else as "•" ("verborgen").

/// The usual threshold of Dutch statistics (CBS) and the issue: counts 0–4 are hidden.
pub const THRESHOLD: u64 = 5;

/// One entry as a report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(u64),
    /// Hidden because the count is below the threshold.
    Small,
    /// Hidden so that a small count cannot be worked out from it.
    Complementary,
}

impl Shown {
    /// As a cell of a table or CSV: the count, "<5", or "•".
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Small => format!("<{THRESHOLD}"),
            Shown::Complementary => "•".to_string(),
        }
    }

    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// A table after suppression: inner cells (rows × columns) and the three kinds of totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedTable {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
}

/// Suppresses a table of counts (`cells[row][column]`, rows of equal length) with the margins
/// computed from it.
pub fn suppress(cells: &[Vec<u64>], threshold: u64) -> SuppressedTable {
    let grid = Grid::with_margins(cells);
    let hidden = grid.protect(threshold);
    let show = |r: usize, c: usize| -> Shown {
        let value = grid.values[r][c];
        if !hidden[r][c] {
            Shown::Count(value)
        } else if value < threshold {
            Shown::Small
        } else {
            Shown::Complementary
        }
    };
    let (rows, columns) = (grid.rows(), grid.columns());
    SuppressedTable {
        cells: (0..rows)
            .map(|r| (0..columns).map(|c| show(r, c)).collect())
            .collect(),
        row_totals: (0..rows).map(|r| show(r, columns)).collect(),
        column_totals: (0..columns).map(|c| show(rows, c)).collect(),
        total: show(rows, columns),
    }
}

/// The counts with their margins: one extra column of row totals and one extra row of column
/// totals, the grand total in the corner.
struct Grid {
    values: Vec<Vec<u64>>,
}

/// The entries of one checkable sum: the inner entries, then the total they add up to.
struct Line {
    parts: Vec<(usize, usize)>,
    total: (usize, usize),
}

impl Grid {
    fn with_margins(cells: &[Vec<u64>]) -> Self {
        let columns = cells.first().map_or(0, Vec::len);
        let mut values: Vec<Vec<u64>> = cells
            .iter()
            .map(|row| {
                let mut row = row.clone();
                row.resize(columns, 0);
                let total = row.iter().sum();
                row.push(total);
                row
            })
            .collect();
        let totals: Vec<u64> = (0..=columns)
            .map(|c| values.iter().map(|row| row[c]).sum())
            .collect();
        values.push(totals);
        Grid { values }
    }

    fn rows(&self) -> usize {
        self.values.len() - 1
    }

    fn columns(&self) -> usize {
        self.values[0].len() - 1
    }

    /// Every sum a reader can check: each row (including the row of column totals) and each
    /// column (including the column of row totals).
    fn lines(&self) -> Vec<Line> {
        let (rows, columns) = (self.rows(), self.columns());
        let across = (0..=rows).map(|r| Line {
            parts: (0..columns).map(|c| (r, c)).collect(),
            total: (r, columns),
        });
        let down = (0..=columns).map(|c| Line {
            parts: (0..rows).map(|r| (r, c)).collect(),
            total: (rows, c),
        });
        across.chain(down).collect()
    }

    /// Which entries to hide (see the module documentation).
    fn protect(&self, threshold: u64) -> Vec<Vec<bool>> {
        let mut hidden: Vec<Vec<bool>> = self
            .values
            .iter()
            .map(|row| row.iter().map(|&v| v < threshold).collect())
            .collect();
        let lines = self.lines();
        loop {
            let mut changed = false;
            for line in &lines {
                let hidden_parts: Vec<&(usize, usize)> =
                    line.parts.iter().filter(|&&(r, c)| hidden[r][c]).collect();
                let total_hidden = hidden[line.total.0][line.total.1];
                let count = hidden_parts.len() + usize::from(total_hidden);
                let hidden_sum: u64 = hidden_parts.iter().map(|&&(r, c)| self.values[r][c]).sum();
                let too_few = count == 1;
                // With the total visible, the hidden parts' sum is known.
                let sum_too_small = !total_hidden && count >= 2 && hidden_sum < threshold;
                if (too_few || sum_too_small) && self.hide_smallest(line, &mut hidden) {
                    changed = true;
                }
            }
            if changed {
                continue;
            }
            // Hide one more entry in a sum through an entry the sums still fix; done when none
            // is fixed (or only ones whose sums are wholly hidden, which nothing can help).
            let next = self.determined(&hidden).into_iter().find_map(|entry| {
                lines
                    .iter()
                    .filter(|l| l.total == entry || l.parts.contains(&entry))
                    .find(|l| self.has_visible(l, &hidden))
            });
            match next {
                Some(line) => {
                    self.hide_smallest(line, &mut hidden);
                }
                None => return hidden,
            }
        }
    }

    fn has_visible(&self, line: &Line, hidden: &[Vec<bool>]) -> bool {
        line.parts
            .iter()
            .chain(std::iter::once(&line.total))
            .any(|&(r, c)| !hidden[r][c])
    }

    /// Hides the smallest visible inner entry of `line` (the total when none is left);
    /// whether anything was hidden.
    fn hide_smallest(&self, line: &Line, hidden: &mut [Vec<bool>]) -> bool {
        let smallest = line
            .parts
            .iter()
            .filter(|&&(r, c)| !hidden[r][c])
            .min_by_key(|&&(r, c)| self.values[r][c])
            .copied()
            .or_else(|| {
                let (r, c) = line.total;
                (!hidden[r][c]).then_some(line.total)
            });
        match smallest {
            Some((r, c)) => {
                hidden[r][c] = true;
                true
            }
            None => false,
        }
    }

    /// The hidden entries whose values all the sums together fix: with the hidden entries as
    /// unknowns, the sums form linear equations, and an unknown is fixed exactly when its unit
    /// vector lies in the span of the equations' coefficient rows.
    fn determined(&self, hidden: &[Vec<bool>]) -> Vec<(usize, usize)> {
        let unknowns: Vec<(usize, usize)> = (0..=self.rows())
            .flat_map(|r| (0..=self.columns()).map(move |c| (r, c)))
            .filter(|&(r, c)| hidden[r][c])
            .collect();
        let position = |entry: (usize, usize)| unknowns.iter().position(|&u| u == entry);
        let equations: Vec<Vec<f64>> = self
            .lines()
            .iter()
            .map(|line| {
                let mut row = vec![0.0; unknowns.len()];
                for &part in &line.parts {
                    if let Some(i) = position(part) {
                        row[i] += 1.0;
                    }
                }
                if let Some(i) = position(line.total) {
                    row[i] -= 1.0;
                }
                row
            })
            .filter(|row| row.iter().any(|&x| x != 0.0))
            .collect();
        let base = rank(equations.clone());
        unknowns
            .iter()
            .enumerate()
            .filter(|&(i, _)| {
                let mut with_unit = equations.clone();
                let mut unit = vec![0.0; unknowns.len()];
                unit[i] = 1.0;
                with_unit.push(unit);
                rank(with_unit) == base
            })
            .map(|(_, &entry)| entry)
            .collect()
    }
}

/// The rank of a matrix by Gaussian elimination with partial pivoting. Entries start as 0 and
/// ±1 and the tables are small, so floating point is exact enough with a tolerance.
fn rank(mut rows: Vec<Vec<f64>>) -> usize {
    let width = rows.first().map_or(0, Vec::len);
    let mut rank = 0;
    for column in 0..width {
        let Some(pivot) = (rank..rows.len())
            .filter(|&r| rows[r][column].abs() > 1e-9)
            .max_by(|&a, &b| rows[a][column].abs().total_cmp(&rows[b][column].abs()))
        else {
            continue;
        };
        rows.swap(rank, pivot);
        let pivot_row = rows[rank].clone();
        for row in rows.iter_mut().skip(rank + 1) {
            let factor = row[column] / pivot_row[column];
            if factor != 0.0 {
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x -= factor * p;
                }
            }
        }
        rank += 1;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(table: &SuppressedTable) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = table
            .cells
            .iter()
            .zip(&table.row_totals)
            .map(|(row, total)| {
                row.iter()
                    .chain(std::iter::once(total))
                    .map(|s| s.text())
                    .collect()
            })
            .collect();
        out.push(
            table
                .column_totals
                .iter()
                .chain(std::iter::once(&table.total))
                .map(|s| s.text())
                .collect(),
        );
        out
    }

    #[test]
    fn large_counts_are_shown_as_they_are() {
        let table = suppress(&[vec![10, 20], vec![30, 40]], THRESHOLD);
        assert_eq!(
            texts(&table),
            vec![
                vec!["10", "20", "30"],
                vec!["30", "40", "70"],
                vec!["40", "60", "100"]
            ]
        );
    }

    #[test]
    fn one_small_count_takes_a_complementary_cell_in_its_row_and_column() {
        let table = suppress(&[vec![3, 20, 12], vec![30, 40, 9]], THRESHOLD);
        assert_eq!(table.cells[0][0], Shown::Small);
        // Its row and its column each hide a second entry, so 3 cannot be worked out.
        let row_hidden = table.cells[0]
            .iter()
            .filter(|s| s.count().is_none())
            .count();
        let column_hidden = table
            .cells
            .iter()
            .filter(|r| r[0].count().is_none())
            .count();
        assert!(row_hidden >= 2 && column_hidden >= 2, "{:?}", texts(&table));
        assert_eq!(table.total, Shown::Count(114));
    }

    #[test]
    fn hidden_cells_that_add_up_to_a_small_number_take_another() {
        // 0 and 1 in one row, with the row total visible: "together 1" would reveal them.
        let table = suppress(&[vec![0, 1, 50, 60], vec![20, 30, 40, 50]], THRESHOLD);
        let hidden_sum: u64 = (0..4)
            .filter(|&c| table.cells[0][c].count().is_none())
            .map(|c| [0, 1, 50, 60][c])
            .sum();
        assert!(hidden_sum >= THRESHOLD, "{:?}", texts(&table));
    }

    /// Random tables: no hidden entry is fixed by the visible ones and the sums, and every
    /// count below the threshold is hidden.
    #[test]
    fn no_hidden_entry_can_be_worked_out() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        for _ in 0..300 {
            let rows = 1 + next(5) as usize;
            let columns = 1 + next(6) as usize;
            let cells: Vec<Vec<u64>> = (0..rows)
                .map(|_| {
                    (0..columns)
                        .map(|_| if next(3) == 0 { next(5) } else { next(40) })
                        .collect()
                })
                .collect();
            let table = suppress(&cells, THRESHOLD);
            let grid = Grid::with_margins(&cells);
            let hidden: Vec<Vec<bool>> = (0..=rows)
                .map(|r| {
                    (0..=columns)
                        .map(|c| {
                            let shown = if r == rows && c == columns {
                                table.total
                            } else if r == rows {
                                table.column_totals[c]
                            } else if c == columns {
                                table.row_totals[r]
                            } else {
                                table.cells[r][c]
                            };
                            assert!(
                                grid.values[r][c] >= THRESHOLD || shown.count().is_none(),
                                "a small count is visible in {cells:?}"
                            );
                            shown.count().is_none()
                        })
                        .collect()
                })
                .collect();
            let fully_hidden = hidden.iter().flatten().all(|&h| h);
            if !fully_hidden {
                assert_eq!(
                    grid.determined(&hidden),
                    vec![],
                    "a hidden entry can be worked out in {cells:?}: {:?}",
                    texts(&table)
                );
            }
        }
    }

    #[test]
    fn rank_of_small_matrices() {
        assert_eq!(rank(vec![vec![1.0, 1.0], vec![2.0, 2.0]]), 1);
        assert_eq!(rank(vec![vec![1.0, 0.0], vec![0.0, 1.0]]), 2);
        assert_eq!(rank(vec![]), 0);
    }
}
