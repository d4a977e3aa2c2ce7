//! [`CostQuery`]: a cost range validated and widened to the rollup's hours.

use crate::domain::HOUR_NS;
use crate::error::Result;
use crate::store::read::filter::parse_range;
use app::model::RangeFilter;

/// A validated range, widened to whole hours (the rollup's grain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostQuery {
    pub from_hour: i64,
    /// Exclusive.
    pub to_hour: i64,
}

impl CostQuery {
    /// Default range: the last 24 hours.
    pub fn parse(f: &RangeFilter, now_ns: i64) -> Result<CostQuery> {
        let (since_ns, until_ns) = parse_range(&f.since, &f.until, now_ns)?;
        Ok(CostQuery { from_hour: since_ns.div_euclid(HOUR_NS), to_hour: (until_ns - 1).div_euclid(HOUR_NS) + 1 })
    }

    pub fn since_ns(&self) -> i64 {
        self.from_hour * HOUR_NS
    }

    pub fn until_ns(&self) -> i64 {
        self.to_hour * HOUR_NS
    }
}
