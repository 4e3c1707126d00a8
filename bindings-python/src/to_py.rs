//! Core models to Python objects, directly: a `serde::Serializer` whose output is a Python object.
//!
//! * A struct becomes an instance of the dataclass registered under the struct's serde name
//!   (`hookbridge/types.py` registers all of them at import), built with its fields as keywords.
//! * [`hookbridge::Timestamp`] arrives (this serializer is not human-readable) as the newtype
//!   `hookbridge::Timestamp(y, mo, d, h, mi, s, us, offset)` and becomes a `datetime`: aware with
//!   `timezone.utc` for offset 0, `timezone(timedelta(seconds=offset))` otherwise, naive without
//!   an offset, exactly what `datetime.fromisoformat` gives the official SDK.
//!   [`hookbridge::Date`] arrives as `hookbridge::Date(y, m, d)` and becomes a `date`.
//! * Sequences become lists, maps dicts, `None` and `()` become `None`.
//! * [`AsDataclass`] builds a dataclass from a value whose serde form is a map (a struct with
//!   a `#[serde(flatten)]` part serializes as one).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use hookbridge::time::{DATE_STRUCT_NAME, TIMESTAMP_STRUCT_NAME};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDate, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyTzInfo};
use serde::ser::{self, Serialize};

/// A dataclass and the names of its fields.
struct Dataclass {
    class: Py<PyAny>,
    fields: std::collections::HashSet<String>,
}

/// Dataclasses by serde struct name.
type Registry = HashMap<String, Dataclass>;

static REGISTRY: RwLock<Option<Arc<Registry>>> = RwLock::new(None);

/// The newtype name under which [`AsDataclass`] hands over `(class name, value)`.
const AS_DATACLASS_NAME: &str = "hookbridge_python::AsDataclass";

/// A value built as the registered dataclass of the given name, whatever its serde form (a
/// struct with a flattened part serializes as a map, which would otherwise become a dict).
pub struct AsDataclass<T>(pub &'static str, pub T);

impl<T: Serialize> Serialize for AsDataclass<T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(AS_DATACLASS_NAME, &(self.0, &self.1))
    }
}

/// Registers the dataclasses results are built from (`{"Message": Message, ...}`). A result
/// carries only the fields its dataclass declares: the core returns everything the server says
/// (newer servers add fields), and the package shows the official package's shapes.
pub fn register_types(classes: &Bound<'_, PyDict>) -> PyResult<()> {
    let mut registry = Registry::with_capacity(classes.len());
    for (name, class) in classes.iter() {
        let fields = class.getattr("__dataclass_fields__")?.call_method0("keys")?.try_iter()?;
        let fields = fields.map(|f| f.and_then(|f| f.extract::<String>())).collect::<PyResult<_>>()?;
        registry.insert(name.extract::<String>()?, Dataclass { class: class.unbind(), fields });
    }
    *REGISTRY.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(registry));
    Ok(())
}

/// Converts any serializable core value to the Python object the official SDK would return.
pub fn to_python<'py, T: Serialize + ?Sized>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let registry = REGISTRY.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| {
        PyRuntimeError::new_err("hookbridge: the result types are not registered (import hookbridge.types first)")
    })?;
    value.serialize(ToPy { py, registry: &registry }).map_err(|e| e.0)
}

/// A conversion failure, carrying the Python exception to raise.
pub struct ConvError(PyErr);

impl From<PyErr> for ConvError {
    fn from(e: PyErr) -> Self {
        ConvError(e)
    }
}

impl fmt::Debug for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ConvError {}

impl ser::Error for ConvError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        ConvError(PyValueError::new_err(format!("hookbridge: cannot convert a result: {msg}")))
    }
}

type Out<'py> = Result<Bound<'py, PyAny>, ConvError>;

/// The serializer: borrows the interpreter and the class registry.
#[derive(Clone, Copy)]
struct ToPy<'a, 'py> {
    py: Python<'py>,
    registry: &'a Registry,
}

impl<'py> ToPy<'_, 'py> {
    fn int<I>(self, v: I) -> Out<'py>
    where
        I: IntoPyObject<'py, Output = Bound<'py, PyInt>>,
        PyErr: From<I::Error>,
    {
        Ok(v.into_pyobject(self.py).map_err(PyErr::from)?.into_any())
    }

    fn unsupported(what: &str) -> ConvError {
        ConvError(PyValueError::new_err(format!("hookbridge: results never contain {what}")))
    }

    /// `(y, mo, d, h, mi, s, us, offset_seconds)` to a `datetime`.
    fn datetime(self, parts: Bound<'py, PyAny>) -> Out<'py> {
        let (y, mo, d, h, mi, s, us, offset): (i32, u8, u8, u8, u8, u8, u32, Option<i32>) = parts.extract()?;
        let tz = match offset {
            None => None,
            Some(0) => Some(PyTzInfo::utc(self.py)?.to_owned()),
            Some(seconds) => Some(PyTzInfo::fixed_offset(self.py, PyDelta::new(self.py, 0, seconds, 0, true)?)?),
        };
        Ok(PyDateTime::new(self.py, y, mo, d, h, mi, s, us, tz.as_ref())?.into_any())
    }

    /// `(class name, dict)` to that dataclass, given the dict's keys it declares.
    fn dataclass(self, parts: Bound<'py, PyAny>) -> Out<'py> {
        let (name, values): (String, Bound<'py, PyDict>) = parts.extract()?;
        let class = self.registry.get(&name).ok_or_else(|| unregistered(&name))?;
        let kwargs = PyDict::new(self.py);
        for (key, value) in values.iter() {
            if class.fields.contains(&key.extract::<String>()?) {
                kwargs.set_item(key, value)?;
            }
        }
        Ok(class.class.bind(self.py).call((), Some(&kwargs))?)
    }

    /// `(y, m, d)` to a `date`.
    fn date(self, parts: Bound<'py, PyAny>) -> Out<'py> {
        let (y, m, d): (i32, u8, u8) = parts.extract()?;
        Ok(PyDate::new(self.py, y, m, d)?.into_any())
    }
}

impl<'a, 'py> ser::Serializer for ToPy<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    type SerializeSeq = Items<'a, 'py>;
    type SerializeTuple = Items<'a, 'py>;
    type SerializeTupleStruct = Items<'a, 'py>;
    type SerializeTupleVariant = ser::Impossible<Bound<'py, PyAny>, ConvError>;
    type SerializeMap = Entries<'a, 'py>;
    type SerializeStruct = Fields<'a, 'py>;
    type SerializeStructVariant = ser::Impossible<Bound<'py, PyAny>, ConvError>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Out<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        self.int(v)
    }
    fn serialize_f32(self, v: f32) -> Out<'py> {
        Ok(PyFloat::new(self.py, f64::from(v)).into_any())
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Out<'py> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Out<'py> {
        match name {
            TIMESTAMP_STRUCT_NAME => self.datetime(value.serialize(self)?),
            DATE_STRUCT_NAME => self.date(value.serialize(self)?),
            AS_DATACLASS_NAME => self.dataclass(value.serialize(self)?),
            _ => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out<'py> {
        let dict = PyDict::new(self.py);
        dict.set_item(variant, value.serialize(self)?)?;
        Ok(dict.into_any())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'py>, ConvError> {
        Ok(Items { to: self, items: Vec::with_capacity(len.unwrap_or(0)), tuple: false })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a, 'py>, ConvError> {
        Ok(Items { to: self, items: Vec::with_capacity(len), tuple: true })
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items<'a, 'py>, ConvError> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ConvError> {
        Err(Self::unsupported("tuple variants"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Entries<'a, 'py>, ConvError> {
        Ok(Entries { to: self, dict: PyDict::new(self.py), key: None })
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Fields<'a, 'py>, ConvError> {
        let class = self.registry.get(name).ok_or_else(|| unregistered(name))?;
        Ok(Fields { to: self, class, kwargs: PyDict::new(self.py) })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ConvError> {
        Err(Self::unsupported("struct variants"))
    }
}

fn unregistered(name: &str) -> ConvError {
    ConvError(PyRuntimeError::new_err(format!("hookbridge: no Python class is registered for {name}")))
}

/// Collects the elements of a list or tuple.
pub struct Items<'a, 'py> {
    to: ToPy<'a, 'py>,
    items: Vec<Bound<'py, PyAny>>,
    tuple: bool,
}

impl<'py> Items<'_, 'py> {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ConvError> {
        self.items.push(value.serialize(self.to)?);
        Ok(())
    }

    fn finish(self) -> Out<'py> {
        if self.tuple {
            Ok(PyTuple::new(self.to.py, self.items)?.into_any())
        } else {
            Ok(PyList::new(self.to.py, self.items)?.into_any())
        }
    }
}

impl<'py> ser::SerializeSeq for Items<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ConvError> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeTuple for Items<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ConvError> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

impl<'py> ser::SerializeTupleStruct for Items<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ConvError> {
        self.push(value)
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

/// Collects the entries of a dict.
pub struct Entries<'a, 'py> {
    to: ToPy<'a, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

impl<'py> ser::SerializeMap for Entries<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ConvError> {
        self.key = Some(key.serialize(self.to)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ConvError> {
        let key = self.key.take().ok_or_else(|| ConvError(PyValueError::new_err("hookbridge: map value without a key")))?;
        self.dict.set_item(key, value.serialize(self.to)?)?;
        Ok(())
    }
    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

/// Collects the keyword arguments of a dataclass and builds it.
pub struct Fields<'a, 'py> {
    to: ToPy<'a, 'py>,
    class: &'a Dataclass,
    kwargs: Bound<'py, PyDict>,
}

impl<'py> ser::SerializeStruct for Fields<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), ConvError> {
        if self.class.fields.contains(key) {
            self.kwargs.set_item(key, value.serialize(self.to)?)?;
        }
        Ok(())
    }
    fn end(self) -> Out<'py> {
        Ok(self.class.class.bind(self.to.py).call((), Some(&self.kwargs))?)
    }
}
