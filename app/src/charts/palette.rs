//! Colours that read on the light and the dark page background alike.

use plotters::style::RGBColor;
pub const BAR: RGBColor = RGBColor(76, 110, 245);
pub const AXIS: RGBColor = RGBColor(134, 142, 150);
pub const P50: RGBColor = RGBColor(47, 158, 68);
pub const P95: RGBColor = RGBColor(240, 140, 0);
pub const P99: RGBColor = RGBColor(224, 49, 49);
pub const COST: RGBColor = RGBColor(18, 184, 134);
pub const TEXT: RGBColor = RGBColor(73, 80, 87);
