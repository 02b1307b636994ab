//! Which body receives an application (Art 27: only governments and
//! county-level departments do). A record at county level goes to its
//! 主体 (the department that publishes it); a township record to its
//! publisher, the township government; anything else from a village or
//! township terminal to the township government, and from a county
//! terminal to the county government's office.

use super::application::ReceivingBody;
use crate::{Region, RegionCode, RegionLevel};

/// The record an application links to: where it belongs and who publishes it.
#[derive(Debug, Clone, Copy)]
pub struct LinkedRecord<'a> {
    pub region: &'a RegionCode,
    pub publisher: &'a str,
}

/// `hall_chain`: the hall's region first, then its ancestors up to the county.
pub fn receiving_body(
    hall_chain: &[Region],
    linked: Option<LinkedRecord<'_>>,
) -> Option<ReceivingBody> {
    if let Some(l) = linked
        && !l.publisher.trim().is_empty()
        && matches!(
            l.region.level(),
            RegionLevel::County | RegionLevel::Township
        )
    {
        return Some(ReceivingBody {
            name: l.publisher.trim().to_string(),
            region: l.region.clone(),
        });
    }
    if let Some(t) = hall_chain.iter().find(|r| r.level == RegionLevel::Township) {
        return Some(ReceivingBody {
            name: format!("{}人民政府", t.name),
            region: t.code.clone(),
        });
    }
    hall_chain
        .iter()
        .find(|r| r.level == RegionLevel::County)
        .map(|c| ReceivingBody {
            name: format!("{}人民政府办公室", c.name),
            region: c.code.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, name: &str) -> Region {
        let code: RegionCode = code.parse().unwrap();
        Region {
            level: code.level(),
            parent: code.parent(),
            code,
            name: name.into(),
        }
    }

    fn check(hall: &[(&str, &str)], linked: Option<(&str, &str)>, expected: &str) {
        let chain: Vec<Region> = hall.iter().map(|(c, n)| region(c, n)).collect();
        let code = linked.map(|(c, _)| c.parse::<RegionCode>().unwrap());
        let l = linked.map(|(_, p)| LinkedRecord {
            region: code.as_ref().unwrap(),
            publisher: p,
        });
        let got = receiving_body(&chain, l).map(|b| format!("{} {}", b.name, b.region.as_str()));
        assert_eq!(got.as_deref(), Some(expected), "{hall:?} {linked:?}");
    }

    #[test]
    fn routing_by_hall_and_record() {
        let village = [
            ("990521201201", "石桥村"),
            ("990521201", "石桥乡"),
            ("990521", "云溪县"),
        ];
        let township = [("990521201", "石桥乡"), ("990521", "云溪县")];
        let county = [("990521", "云溪县")];
        // A village box with nothing linked: its township government.
        check(&village, None, "石桥乡人民政府 990521201");
        // A village record: villages do not receive applications.
        check(
            &village,
            Some(("990521201201", "石桥村村民委员会")),
            "石桥乡人民政府 990521201",
        );
        // A county department's item, read at a village box: the department.
        check(
            &village,
            Some(("990521", "云溪县民政局")),
            "云溪县民政局 990521",
        );
        check(
            &township,
            Some(("990521201", "石桥乡人民政府")),
            "石桥乡人民政府 990521201",
        );
        check(&township, None, "石桥乡人民政府 990521201");
        check(&county, None, "云溪县人民政府办公室 990521");
        // A record without a publisher falls back to the hall's body.
        check(
            &county,
            Some(("990521", " ")),
            "云溪县人民政府办公室 990521",
        );
    }
}
