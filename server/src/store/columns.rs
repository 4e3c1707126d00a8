//! Reading a result row by column position, the same way on every backend, so the code that
//! turns rows into records is written once (see [`super::rows`]). Each backend implements
//! [`Columns`] for its row type; the error stays the driver's own.

/// A result row whose columns are read by position.
pub trait Columns {
    /// The driver's error.
    type Error;
    /// A non-NULL text column.
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    /// A text column that may be NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    /// A non-NULL integer column.
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    /// An integer column that may be NULL.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    /// A non-NULL boolean column (SQLite stores 0/1).
    fn flag(&self, i: usize) -> Result<bool, Self::Error>;
    /// A boolean column that may be NULL.
    fn opt_flag(&self, i: usize) -> Result<Option<bool>, Self::Error>;
    /// A binary column that may be NULL.
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, Self::Error>;
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> Result<String, Self::Error> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
        self.get(i)
    }
    fn int(&self, i: usize) -> Result<i64, Self::Error> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error> {
        self.get(i)
    }
    fn flag(&self, i: usize) -> Result<bool, Self::Error> {
        self.get(i)
    }
    fn opt_flag(&self, i: usize) -> Result<Option<bool>, Self::Error> {
        self.get(i)
    }
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, Self::Error> {
        self.get(i)
    }
}

impl Columns for tokio_postgres::Row {
    type Error = tokio_postgres::Error;
    fn text(&self, i: usize) -> Result<String, Self::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, Self::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error> {
        self.try_get(i)
    }
    fn flag(&self, i: usize) -> Result<bool, Self::Error> {
        self.try_get(i)
    }
    fn opt_flag(&self, i: usize) -> Result<Option<bool>, Self::Error> {
        self.try_get(i)
    }
    fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, Self::Error> {
        self.try_get(i)
    }
}
