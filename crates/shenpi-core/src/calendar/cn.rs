//! The built-in `cn` calendar: `data/cn.yaml`, embedded and parsed once.

use std::sync::OnceLock;

use super::Calendar;
use crate::diag::Source;

/// The State Council's arrangements, one notice a year; a calendar file like any other.
const DATA: &str = include_str!("../../data/cn.yaml");

static CN: OnceLock<Calendar> = OnceLock::new();

pub(super) fn calendar() -> Calendar {
    CN.get_or_init(|| {
        // OK because the data ships inside the crate and `cn_data_loads_cleanly` loads it.
        super::file::load(Source::new("cn", DATA)).expect("the built-in `cn` calendar data is valid")
    })
    .clone()
}
