//! Python arguments to core inputs, without a round-trip through Python's `json` module:
//! payloads walk the Python objects into `serde_json::Value` with `json.dumps`'s rules (dict keys
//! that are int, float, bool or None become their JSON text; nesting is limited only by Python's
//! recursion limit); the optional parts of a call (one dict) become the core's option structs,
//! with datetimes as the text `isoformat()` gives (strings pass through verbatim, as in the
//! official SDK). Anything else is a `TypeError`/`ValueError` naming where it is.

use pyo3::exceptions::{PyRecursionError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

/// Deepest nesting walked whatever Python's recursion limit says, so a raised limit cannot
/// exhaust a thread's stack.
const MAX_DEPTH: usize = 3000;

/// Converts a JSON-like Python value (dict, list, tuple, str, int, float, bool, None).
/// `what` names the argument in error messages, e.g. `payload`.
pub fn json_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let mut path = what.to_owned();
    let limit = obj
        .py()
        .import("sys")
        .and_then(|sys| sys.call_method0("getrecursionlimit"))
        .and_then(|l| l.extract::<usize>())
        .map_or(MAX_DEPTH, |l| l.min(MAX_DEPTH));
    to_json(obj, &mut path, limit)
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
        fields.insert(key, to_json(&value, &mut path, MAX_DEPTH)?);
    }
    Ok(fields)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".to_owned())
}

/// A dict key as `json.dumps` writes it: str as is, bool and None as `true`/`false`/`null`,
/// int as its digits, float as its JSON number text.
fn json_key(key: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = key.cast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_owned());
    }
    if key.is_none() {
        return Ok("null".to_owned());
    }
    if key.is_instance_of::<PyInt>() {
        return Ok(key.str()?.to_cow()?.into_owned());
    }
    if let Ok(f) = key.cast::<PyFloat>() {
        let v = f.value();
        return Ok(if v.is_nan() {
            "NaN".to_owned()
        } else if v.is_infinite() {
            if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        } else {
            key.repr()?.to_cow()?.into_owned()
        });
    }
    Err(PyTypeError::new_err(format!("keys must be str, int, float, bool or None, not {}", type_name(key))))
}

/// `budget` is how many more levels of nesting may follow.
fn to_json(obj: &Bound<'_, PyAny>, path: &mut String, budget: usize) -> PyResult<Value> {
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
    let is_container = obj.cast::<PyDict>().is_ok() || obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok();
    let Some(budget) = budget.checked_sub(1).filter(|_| is_container) else {
        if is_container {
            return Err(PyRecursionError::new_err("maximum recursion depth exceeded while encoding a JSON object"));
        }
        return Err(PyTypeError::new_err(format!("{path} is of type {}, which is not JSON serializable", type_name(obj))));
    };
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let key = json_key(&key)?;
            let len = path.len();
            path.push_str(&format!("[{key:?}]"));
            let value = to_json(&value, path, budget)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return sequence(list.iter(), path, budget);
    }
    let tuple = obj.cast::<PyTuple>()?;
    sequence(tuple.iter(), path, budget)
}

fn sequence<'py>(items: impl Iterator<Item = Bound<'py, PyAny>>, path: &mut String, budget: usize) -> PyResult<Value> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        let len = path.len();
        path.push_str(&format!("[{i}]"));
        out.push(to_json(&item, path, budget)?);
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
            to_json(&value, &mut path, MAX_DEPTH)?
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
