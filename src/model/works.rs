//! The work items an agent holds, kept in a vector ordered by AgentWork Id. An agent
//! holds a handful at a time (at most [`super::FINISHED_WORK_KEPT`] finished ones
//! besides the open ones), so a sorted vector does everything a tree map would, faster
//! and without a tree map's code in the wasm bundle. As JSON it is an object keyed by
//! AgentWork Id, in Id order, as a map would be.
//!
//! Measured: `BTreeMap<String, WorkItem>` with derived serde in its place makes the
//! wasm bundle 3,786 bytes larger under gzip -9 (10,603 raw), more than the size
//! budget leaves (bench/size-budget.json), so the vector stays.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The AgentWork lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkStatus {
    Assigned,
    Opened,
    Unavailable,
    Declined,
    DeclinedOnPushTimeout,
    Closed,
    Canceled,
    Transferred,
}

impl WorkStatus {
    /// Finished items no longer count against the agent.
    pub(crate) fn is_finished(self) -> bool {
        !matches!(self, WorkStatus::Assigned | WorkStatus::Opened)
    }
}

/// One work item, keyed by its AgentWork Id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkItem {
    pub work_id: String,
    pub work_item_id: String,
    pub status: WorkStatus,
    pub engaged: bool,
    pub service_channel: Option<String>,
    pub updated_at: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Works(Vec<WorkItem>);

impl Works {
    fn find(&self, work_id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|w| w.work_id.as_str().cmp(work_id))
    }

    pub(crate) fn get(&self, work_id: &str) -> Option<&WorkItem> {
        self.find(work_id).ok().map(|i| &self.0[i])
    }

    /// The item with this Id, made by `new` when there is none yet.
    pub(crate) fn get_or_insert_with(
        &mut self,
        work_id: &str,
        new: impl FnOnce() -> WorkItem,
    ) -> &mut WorkItem {
        let i = match self.find(work_id) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, new());
                i
            }
        };
        &mut self.0[i]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items in Id order.
    pub(crate) fn values(&self) -> std::slice::Iter<'_, WorkItem> {
        self.0.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, WorkItem> {
        self.0.iter_mut()
    }

    /// Keeps the items for which `keep` holds, in one pass.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&WorkItem) -> bool) {
        self.0.retain(keep);
    }
}

impl std::ops::Index<&str> for Works {
    type Output = WorkItem;

    /// Panics when there is no such item, as a map's index does: for tests and callers
    /// that have just checked.
    fn index(&self, work_id: &str) -> &WorkItem {
        match self.get(work_id) {
            Some(item) => item,
            None => panic!("no work item {work_id}"),
        }
    }
}

impl Serialize for Works {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for item in &self.0 {
            map.serialize_entry(&item.work_id, item)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Works {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Works, D::Error> {
        struct ById;
        impl<'de> Visitor<'de> for ById {
            type Value = Works;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of work items keyed by AgentWork Id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Works, A::Error> {
                let mut items = Vec::new();
                while let Some((work_id, item)) = map.next_entry::<String, WorkItem>()? {
                    // The key is the Id, as in a map.
                    items.push(WorkItem { work_id, ..item });
                }
                // One sort, not one insertion per item: a saved session may hold
                // thousands. Of equal Ids the last wins, as in a map.
                items.reverse();
                let order = crate::sort::sorted(items.len(), &|a, b| {
                    items[a].work_id.cmp(&items[b].work_id)
                });
                let mut slots: Vec<Option<WorkItem>> = items.into_iter().map(Some).collect();
                let mut works: Vec<WorkItem> = Vec::with_capacity(slots.len());
                for i in order {
                    let Some(item) = slots[i].take() else {
                        continue;
                    };
                    if works.last().is_some_and(|w| w.work_id == item.work_id) {
                        continue;
                    }
                    works.push(item);
                }
                Ok(Works(works))
            }
        }
        deserializer.deserialize_map(ById)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkStatus;

    fn item(id: &str) -> WorkItem {
        WorkItem {
            work_id: id.into(),
            work_item_id: format!("500{id}"),
            status: WorkStatus::Assigned,
            engaged: false,
            service_channel: None,
            updated_at: 1,
        }
    }

    #[test]
    fn kept_in_id_order_and_written_as_an_object() {
        let mut works = Works::default();
        for id in ["0Bz3", "0Bz1", "0Bz2", "0Bz1"] {
            works.get_or_insert_with(id, || item(id)).updated_at += 1;
        }
        assert_eq!(works.len(), 3);
        assert_eq!(works["0Bz1"].updated_at, 3);
        let ids: Vec<_> = works.values().map(|w| w.work_id.as_str()).collect();
        assert_eq!(ids, ["0Bz1", "0Bz2", "0Bz3"]);
        let json = serde_json::to_value(&works).unwrap();
        assert_eq!(json["0Bz2"]["workItemId"], "5000Bz2");
        let back: Works = serde_json::from_value(json).unwrap();
        assert_eq!(back, works);
        assert!(works.get("0Bz4").is_none());
    }

    #[test]
    fn read_in_any_key_order() {
        let json = serde_json::json!({"b": item("b"), "a": item("a")});
        let works: Works = serde_json::from_value(json).unwrap();
        let ids: Vec<_> = works.values().map(|w| w.work_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(serde_json::from_value::<Works>(serde_json::json!([1])).is_err());
    }
}
