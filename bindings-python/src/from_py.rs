//! Python arguments to core inputs, without a round-trip through Python's `json` module:
//! payloads walk the Python objects into `serde_json::Value`; the optional parts of a call (one
//! dict) become the core's option structs, with datetimes as the text `isoformat()` gives
//! (strings pass through verbatim, as in the official SDK). Anything else is a
//! `TypeError`/`ValueError` naming where it is.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused instead of exhausting the stack.
const MAX_DEPTH: usize = 256;

/// Converts a JSON-like Python value (dict, list, tuple, str, int, float, bool, None).
/// `what` names the argument in error messages, e.g. `payload`.
pub fn json_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let mut path = what.to_owned();
    to_json(obj, &mut path, 0)
}

/// The `**kwargs` of `update_inbound_endpoint`: every non-None value, in the order given.
pub fn json_fields(kwargs: &Bound<'_, PyDict>) -> PyResult<Map<String, Value>> {
    let mut fields = Map::new();
    for (key, value) in kwargs.iter() {
        if value.is_none() {
            continue;
        }
        let key: String = key.extract()?;
        let mut path = key.clone();
        fields.insert(key, to_json(&value, &mut path, 0)?);
    }
    Ok(fields)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".to_owned())
}

fn to_json(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!("{path} is nested more than {MAX_DEPTH} levels deep")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    // bool before int: True is an int in Python.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(PyValueError::new_err(format!("{path} is an integer that does not fit in 64 bits")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value()).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!("{path} is not a finite number ({}), which JSON cannot represent", f.value()))
        });
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "{path} has a key of type {} ({}): JSON object keys must be str",
                    type_name(&key),
                    key.repr().map(|r| r.to_string()).unwrap_or_default()
                )));
            };
            let key = key.to_cow()?.into_owned();
            let len = path.len();
            path.push_str(&format!("[{key:?}]"));
            let value = to_json(&value, path, depth + 1)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return sequence(list.iter(), path, depth);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return sequence(tuple.iter(), path, depth);
    }
    Err(PyTypeError::new_err(format!("{path} is of type {}, which is not JSON serializable", type_name(obj))))
}

fn sequence<'py>(items: impl Iterator<Item = Bound<'py, PyAny>>, path: &mut String, depth: usize) -> PyResult<Value> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        let len = path.len();
        path.push_str(&format!("[{i}]"));
        out.push(to_json(&item, path, depth + 1)?);
        path.truncate(len);
    }
    Ok(Value::Array(out))
}

/// The optional parts of a call, given as one dict (the caller's keyword arguments), as one of the
/// core's option structs. Each value converts as JSON, except that a `datetime`/`date` becomes its
/// `isoformat()` text (a `str` time passes verbatim, as in the official SDK); the core then reads
/// the object, so an unknown key, a missing required key or a wrong type is a `TypeError` naming
/// the key (`get_logs.start_time: invalid type: ...`). `None` means "not given".
pub fn options<T: DeserializeOwned>(kwargs: &Bound<'_, PyDict>, call: &str) -> PyResult<T> {
    let mut map = Map::new();
    for (key, value) in kwargs.iter() {
        let key: String = key.extract()?;
        let value = if value.is_instance_of::<PyDate>() {
            Value::String(value.call_method0("isoformat")?.extract()?)
        } else {
            let mut path = format!("{call}.{key}");
            to_json(&value, &mut path, 0)?
        };
        map.insert(key, value);
    }
    hookbridge::options::from_json(Value::Object(map), call).map_err(|e| PyTypeError::new_err(e.message().to_owned()))
}

/// A `list[str]` of ids (a tuple is accepted too).
pub fn string_list(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<String>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = obj.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!("{name} must be a list[str], not {}", type_name(obj))));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("{name}[{i}] must be a str, not {}", type_name(item))))?
                .to_cow()
                .map(|s| s.into_owned())
        })
        .collect()
}
