//! 24 hours of generated lines at 1000 lines/s (86.4 million) through the live analyzer,
//! in simulated time: the analyzer's state stays bounded and flat (its own sizes; the
//! process's RSS is measured by the `longrun` binary, see benches/README.md), totals keep
//! counting, and each outage opens and closes an incident.

use logscan_analyze::Footprint;

#[test]
fn a_day_at_a_thousand_lines_a_second_stays_bounded() {
    let mut hourly: Vec<Footprint> = Vec::new();
    let (analyzer, totals) = logscan_benches::longrun::run(24, 1_000, 100_000, |_, a, _| {
        hourly.push(a.footprint());
    });
    assert_eq!(totals.lines, 86_400_000);
    // Outages at 3, 9, 15 and 21 h: each opened and closed one incident.
    assert_eq!((totals.opened, totals.closed), (4, 4), "{totals:?}");
    for f in &hourly {
        assert!(f.marks <= 65_536 * 2 + 8_192, "{f:?}");
        assert!(f.groups <= 27 * 33, "{f:?}");
        assert!(f.buckets <= 2_048 * (3 + 27 + f.groups), "{f:?}");
        assert!(f.waiting <= 64, "{f:?}");
        assert!(f.watched_seconds <= 3_600 * 27, "{f:?}");
        assert_eq!(f.inputs, 2);
    }
    // Flat: nothing grows with time past the caps above; what the first hours added (new
    // findings, a cause's seconds) stays as it is.
    let (half, end) = (hourly[11], hourly[23]);
    assert_eq!(end.groups, half.groups, "{half:?} {end:?}");
    assert_eq!(end.watched_seconds, half.watched_seconds);
    assert_eq!(end.waiting, 0);
    let report = analyzer.finish();
    assert_eq!(report.totals.lines, 86_400_000);
    // The report (the batch logic, at the minute resolution a day's timeline has) finds
    // the four outages too.
    for hour in ["03:0", "09:0", "15:0", "21:0"] {
        assert!(
            report
                .incidents
                .iter()
                .any(|i| i.start.to_string().contains(&format!("T{hour}")) && i.count >= 1_000),
            "no incident at {hour}x: {:#?}",
            report.incidents
        );
    }
}
