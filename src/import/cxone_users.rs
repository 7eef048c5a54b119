//! The user map for CXone rows scoped to users: CXone names its users (login names,
//! e-mail addresses), Salesforce scopes by User Id. A CSV of two columns, CXone user
//! name then Salesforce User Id, one user a line; a first line that is a header (its
//! second cell not a User Id) is skipped, as are blank lines.

use super::common::ImportError;

/// CXone user names (compared without case) to Salesforce User Ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CxoneUserMap {
    users: Vec<(String, String)>,
}

/// A Salesforce User Id: prefix 005, 15 or 18 letters and digits.
pub(crate) fn is_user_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18)
        && s.starts_with("005")
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

impl CxoneUserMap {
    /// Reads the CSV; a line without two cells, or whose Id is no User Id, is an error.
    pub fn from_csv(text: &str) -> Result<CxoneUserMap, ImportError> {
        let mut users: Vec<(String, String)> = Vec::new();
        for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            let line_no = i as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<String> = line
                .split(',')
                .map(|c| c.trim().trim_matches('"').trim().to_string())
                .collect();
            let error = |message: String| ImportError::Csv {
                line: line_no,
                message,
            };
            let [name, id] = cells.as_slice() else {
                return Err(error(
                    "a line is a CXone user name and a Salesforce User Id".to_string(),
                ));
            };
            if !is_user_id(id) {
                if users.is_empty() && line_no == 1 {
                    continue; // the header
                }
                return Err(error(format!(
                    "\"{id}\" is not a Salesforce User Id (005..., 15 or 18 characters)"
                )));
            }
            if name.is_empty() {
                return Err(error("the CXone user name is empty".to_string()));
            }
            match users.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some((_, known)) if known != id => {
                    return Err(error(format!(
                        "the CXone user \"{name}\" is mapped twice, to {known} and to {id}"
                    )))
                }
                Some(_) => {}
                None => users.push((name.clone(), id.clone())),
            }
        }
        Ok(CxoneUserMap { users })
    }

    /// The Salesforce User Id of a CXone user name.
    pub fn user_id(&self, cxone_user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(cxone_user.trim()))
            .map(|(_, id)| id.as_str())
    }

    /// How many users the map names.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether the map names no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
