//! How a [`MessageStatus`] is read from and written to a SQLite column: as its stored spelling.
//! A spelling no server writes reads as an error, never as some other status.

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

use crate::domain::MessageStatus;

impl FromSql for MessageStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        MessageStatus::parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown message status {text:?}").into()))
    }
}

impl ToSql for MessageStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}
