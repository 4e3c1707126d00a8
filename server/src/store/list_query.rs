//! The SQL of filtered, newest-first list pages (message logs, rejections), built once for every
//! backend: the filters, the cursor condition (strictly after the last item of the previous
//! page in `(time DESC, id DESC)` order) and a limit one above the page size, so a backend only
//! binds [`ListQuery::args`] and hands the rows to [`super::ListPage::from_overfetch`].

use super::inbound::RejectionFilter;
use super::pull::PullEventFilter;
use super::{ListCursor, LogFilter};

/// How a backend spells the n-th (1-based) query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `?1`, `?2`, ...
    Sqlite,
    /// `$1`, `$2`, ...
    Postgres,
}

impl Dialect {
    fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// A query parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlArg {
    /// A text value.
    Text(String),
    /// An integer value.
    Int(i64),
}

/// A list query: its SQL text and its parameters, in order.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// The SQL text.
    pub sql: String,
    /// The parameters.
    pub args: Vec<SqlArg>,
    dialect: Dialect,
}

impl ListQuery {
    fn new(dialect: Dialect, select: &str) -> Self {
        ListQuery { sql: select.to_owned(), args: Vec::new(), dialect }
    }

    /// Appends `clause`, whose one `?` becomes the placeholder of `arg`.
    fn push(&mut self, clause: &str, arg: SqlArg) {
        self.args.push(arg);
        let placeholder = self.dialect.placeholder(self.args.len());
        self.sql.push_str(&clause.replacen('?', &placeholder, 1));
    }

    /// Time range (inclusive), cursor, order and limit on the `time` column.
    fn finish(&mut self, time: &str, start: Option<i64>, end: Option<i64>, after: Option<&ListCursor>, limit: usize) {
        if let Some(start) = start {
            self.push(&format!(" AND {time} >= ?"), SqlArg::Int(start));
        }
        if let Some(end) = end {
            self.push(&format!(" AND {time} <= ?"), SqlArg::Int(end));
        }
        if let Some(c) = after {
            self.push(&format!(" AND ({time} < ?"), SqlArg::Int(c.created_at));
            self.push(&format!(" OR ({time} = ?"), SqlArg::Int(c.created_at));
            self.push(" AND id < ?))", SqlArg::Text(c.id.clone()));
        }
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1).saturating_add(1);
        self.push(&format!(" ORDER BY {time} DESC, id DESC LIMIT ?"), SqlArg::Int(fetch));
    }

    /// Messages matching a log filter, selecting `columns`.
    pub fn messages(dialect: Dialect, columns: &str, f: &LogFilter) -> Self {
        let mut q = ListQuery::new(dialect, &format!("SELECT {columns} FROM messages WHERE"));
        q.push(" project_id = ?", SqlArg::Text(f.project_id.clone()));
        q.push(" AND direction = ?", SqlArg::Text(f.direction.as_str().to_owned()));
        if let Some(status) = &f.status {
            q.push(" AND status = ?", SqlArg::Text(status.as_str().to_owned()));
        }
        if let Some(endpoint) = &f.endpoint_id {
            q.push(" AND endpoint_id = ?", SqlArg::Text(endpoint.clone()));
        }
        q.finish("created_at", f.start_ms, f.end_ms, f.after.as_ref(), f.limit);
        q
    }

    /// Rejections matching a filter, selecting `columns`: the project's, plus the server-wide
    /// ones (unknown endpoint) when asked for and no endpoint filter is given.
    pub fn rejections(dialect: Dialect, columns: &str, f: &RejectionFilter) -> Self {
        let mut q = ListQuery::new(dialect, &format!("SELECT {columns} FROM inbound_rejections WHERE"));
        let project = SqlArg::Text(f.project_id.clone());
        match &f.inbound_endpoint_id {
            Some(endpoint) => {
                q.push(" project_id = ?", project);
                q.push(" AND inbound_endpoint_id = ?", SqlArg::Text(endpoint.clone()));
            }
            None if f.include_unattributed => q.push(" (project_id = ? OR project_id IS NULL)", project),
            None => q.push(" project_id = ?", project),
        }
        q.finish("received_at", f.start_ms, f.end_ms, f.after.as_ref(), f.limit);
        q
    }
}

impl ListQuery {
    /// Pull events matching a filter, selecting `columns` (newest first by `received_at`).
    pub fn pull_events(dialect: Dialect, columns: &str, f: &PullEventFilter) -> Self {
        let mut q = ListQuery::new(dialect, &format!("SELECT {columns} FROM pull_events WHERE"));
        q.push(" project_id = ?", SqlArg::Text(f.project_id.clone()));
        if let Some(endpoint) = &f.pull_endpoint_id {
            q.push(" AND pull_endpoint_id = ?", SqlArg::Text(endpoint.clone()));
        }
        if let Some(status) = f.status {
            q.push(" AND status = ?", SqlArg::Text(status.as_str().to_owned()));
        }
        if let Some(event_type) = &f.event_type {
            q.push(" AND event_type = ?", SqlArg::Text(event_type.clone()));
        }
        if f.live_only {
            q.sql.push_str(" AND deleted_at IS NULL");
        }
        q.finish("received_at", f.start_ms, f.end_ms, f.after.as_ref(), f.limit);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Direction;

    #[test]
    fn filters_and_cursor_become_numbered_parameters() {
        let f = LogFilter {
            project_id: "p".into(),
            direction: Direction::Outbound,
            status: Some(crate::domain::MessageStatus::Queued),
            endpoint_id: None,
            start_ms: Some(5),
            end_ms: None,
            limit: 10,
            after: Some(ListCursor { created_at: 7, id: "m".into() }),
        };
        let q = ListQuery::messages(Dialect::Postgres, "id", &f);
        assert_eq!(
            q.sql,
            "SELECT id FROM messages WHERE project_id = $1 AND direction = $2 AND status = $3 AND created_at >= $4 \
             AND (created_at < $5 OR (created_at = $6 AND id < $7)) ORDER BY created_at DESC, id DESC LIMIT $8"
        );
        assert_eq!(q.args.last(), Some(&SqlArg::Int(11)));
        assert!(ListQuery::messages(Dialect::Sqlite, "id", &f).sql.contains("id < ?7"));
    }
}
