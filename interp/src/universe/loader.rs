//! Class loading: finding a class's source on the classpath or in the embedded library,
//! building the class and metaclass objects, and compiling their methods.
//!
//! Compile errors while loading are fatal, as in every SOM VM: they are printed and the VM
//! exits with 1; so is a superclass cycle. `Class>>compile:` adds or replaces one method at run
//! time (a VM error if the text is anything else or does not compile) and invalidates every
//! dispatch cache. A class definition given as text at run time (at the REPL's prompt) defines
//! a new class or redefines one in place, and answers its errors instead.
//!
//! The core library's sources are read and parsed before boot, because the fields that
//! `Object`, `Class` and `Metaclass` declare decide the size of every class object.

use super::boot::{ClassObjectFields, CORE_CLASSES};
use super::{fatal_out_of_memory, Universe};
use crate::compiler::{compile_method, ClassContext};
use crate::invokable::{Method, Primitive, Target};
use crate::primitives;
use crate::unwind::Unwind;
use crate::vm_error::SourceFile;
use rustc_hash::FxHashSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;
use yerba_mop::object::{Array, Class, Gc, Instance, Layout};
use yerba_mop::Value;
use yerba_parser::syntax::{ClassDef, MethodBody, MethodDef};

/// Native stack that parsing and compiling a class needs at most: measured about 1.2 KiB per
/// level of the tallest expression tree the parser accepts (2000), plus the parser's own 1 MiB.
const COMPILING_STACK_BYTES: usize = 8 << 20;

/// The class whose instances are the VM's DoubleArrays, as its primitives are found by name.
const DOUBLE_ARRAY_CLASS: &str = "DoubleArray";

impl Universe {
    /// Makes `class` the class of DoubleArrays: their reserved layout names it, and its
    /// instance layout is that layout, so `new` and `basicNew` answer empty DoubleArrays.
    fn bind_double_array_class(&mut self, class: Gc<Class>) -> Result<(), String> {
        if class.instance_layout().field_count() != 0 {
            return Err(format!(
                "{DOUBLE_ARRAY_CLASS} cannot declare instance fields."
            ));
        }
        let layout = self.layouts.double_array;
        layout.set_class(class.value());
        class.set_instance_layout(layout);
        Ok(())
    }

    /// Loads the core library over the boot classes and defines the initial globals. The
    /// instance fields of every core class come first, as the fields of class objects are those
    /// of `Class` (with `Object`'s) whichever class is defined first.
    pub(super) fn load_core_library(&mut self, sources: CoreSources) {
        let core: Vec<Gc<Class>> = CORE_CLASSES
            .iter()
            .map(|(name, _)| {
                self.core
                    .all()
                    .into_iter()
                    .find(|c| self.text_of(c.name()) == *name)
                    .expect("booted")
            })
            .collect();
        for class in &core {
            self.globals.put(class.name(), class.value());
        }
        for (class, (definition, file)) in core.iter().zip(&sources.definitions) {
            self.without_collections(|u| u.define_instance_fields(*class, definition, file))
                .unwrap_or_else(|message| self.fatal(&message));
        }
        for (class, (definition, file)) in core.into_iter().zip(sources.definitions) {
            self.define_into(class, &definition, file)
                .unwrap_or_else(|message| self.fatal(&message));
        }
        let system = self.core.system;
        self.system_object = self.new_instance(system);
        let names = [
            ("nil", Value::NIL),
            ("true", Value::TRUE),
            ("false", Value::FALSE),
            ("system", self.system_object),
        ];
        for (name, value) in names {
            let symbol = self.symbol(name);
            self.globals.put(symbol, value);
        }
    }

    /// `System>>load:`: the class named `name` (a global if one exists), or nil when no
    /// source file defines it.
    pub fn load_class(&mut self, name: Value) -> Result<Option<Value>, Unwind> {
        self.load_class_below(name, &mut Vec::new())
    }

    /// Loads a class while `loading` (subclass first) wait for it as their superclass: a name
    /// met again closes a superclass cycle, which would otherwise load forever.
    fn load_class_below(
        &mut self,
        name: Value,
        loading: &mut Vec<String>,
    ) -> Result<Option<Value>, Unwind> {
        if let Some(existing) = self.globals.get(name) {
            return Ok(Some(existing));
        }
        self.check_stack_for_compiling()?;
        let text = self.text_of(name).to_string();
        let Some(file) = self.find_source(&text) else {
            return Ok(None);
        };
        let started = Instant::now();
        let definition = self.parse(&file);
        let superclass = match self.resolve_superclass(&definition, loading) {
            Err(DefinitionError::Invalid(message)) => self.fatal(&message),
            Err(DefinitionError::Unwound(unwind)) => return Err(unwind),
            Ok(superclass) => superclass,
        };
        let class = self
            .build_class(&definition, file, superclass)
            .unwrap_or_else(|message| self.fatal(&message));
        // Bound to the name it defines: `system load:` may name the file by a relative path.
        self.globals.put(class.name(), class.value());
        self.compilation_time += started.elapsed();
        Ok(Some(class.value()))
    }

    /// Defines the class of a definition given as text at run time (the REPL's prompt). When a
    /// class of that name exists with the same superclass and fields, it gets the definition's
    /// methods in place of its own, so its instances and subclasses run them at once; otherwise
    /// a new class is bound to the global, and existing instances keep their class. A core
    /// class is only redefined in place.
    ///
    /// # Errors
    /// What is wrong with the definition (a compile error, a missing superclass, a repeated
    /// field), or the unwind of loading its superclass.
    pub fn define_class_from_text(
        &mut self,
        definition: &ClassDef,
        file: Rc<SourceFile>,
    ) -> Result<Gc<Class>, DefinitionError> {
        self.check_stack_for_compiling()?;
        let started = Instant::now();
        let superclass = self.resolve_superclass(definition, &mut Vec::new())?;
        let name = self.symbol(&definition.name);
        if let Some(existing) = self.globals.get(name).and_then(Class::of) {
            if self.has_shape_of(existing, superclass, definition)? {
                self.redefine_methods(existing, definition, file)?;
                self.compilation_time += started.elapsed();
                return Ok(existing);
            }
            if self.core.all().contains(&existing) {
                return Err(DefinitionError::Invalid(format!(
                    "The core class {} can only be redefined with the same superclass and fields.",
                    definition.name
                )));
            }
        }
        let class = self.build_class(definition, file, superclass)?;
        self.globals.put(name, class.value());
        self.compilation_time += started.elapsed();
        Ok(class)
    }

    /// Builds the class of a definition given as text at run time without binding it to a
    /// global, for a class the VM keeps to itself (the REPL's session).
    ///
    /// # Errors
    /// As [`Universe::define_class_from_text`].
    pub fn build_class_from_text(
        &mut self,
        definition: &ClassDef,
        file: Rc<SourceFile>,
    ) -> Result<Gc<Class>, DefinitionError> {
        self.check_stack_for_compiling()?;
        let superclass = self.resolve_superclass(definition, &mut Vec::new())?;
        Ok(self.build_class(definition, file, superclass)?)
    }

    /// Whether `class` has the superclass and the instance and class-side fields `definition`
    /// gives it (with `superclass`).
    fn has_shape_of(
        &mut self,
        class: Gc<Class>,
        superclass: Option<Gc<Class>>,
        definition: &ClassDef,
    ) -> Result<bool, String> {
        let superclass = superclass.map_or(Value::NIL, |s| s.value());
        if class.superclass() != superclass {
            return Ok(false);
        }
        let metaclass = self.class_of(class.value());
        let file = SourceFile {
            path: definition.name.clone(),
            text: String::new(),
        };
        let instance_fields = self.field_names(
            superclass,
            &definition.instance_fields,
            &definition.name,
            &file,
        )?;
        let class_fields = self.field_names(
            metaclass.superclass(),
            &definition.class_fields,
            &definition.name,
            &file,
        )?;
        Ok(instance_fields == self.field_names_of(class)
            && class_fields == self.field_names_of(metaclass))
    }

    /// Replaces every method of `class` and its metaclass by those of `definition`, once all of
    /// them compile; every dispatch cache is invalidated.
    fn redefine_methods(
        &mut self,
        class: Gc<Class>,
        definition: &ClassDef,
        file: Rc<SourceFile>,
    ) -> Result<(), String> {
        let metaclass = self.class_of(class.value());
        let instance_fields = self.field_names_of(class);
        let class_fields = self.field_names_of(metaclass);
        self.without_collections(|u| {
            let (instance_methods, class_methods) =
                u.compile_both_sides(class, &instance_fields, &class_fields, definition, file)?;
            for (holder, methods) in [(class, instance_methods), (metaclass, class_methods)] {
                holder.forget_methods();
                u.install_methods(holder, &methods);
                for (signature, method) in methods {
                    u.method_installed(signature, method);
                }
            }
            Ok(())
        })
    }

    /// The names of the instance fields of `holder`'s instances, inherited ones first.
    fn field_names_of(&self, holder: Gc<Class>) -> Vec<String> {
        Array::of(holder.instance_fields())
            .map(|fields| {
                fields
                    .items()
                    .iter()
                    .map(|f| self.text_of(f.get()).to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn find_source(&self, name: &str) -> Option<Rc<SourceFile>> {
        find_source(&self.classpath, name)
    }

    fn parse(&mut self, file: &SourceFile) -> ClassDef {
        parse(file).unwrap_or_else(|message| self.fatal(&message))
    }

    /// Builds a new class and metaclass from a definition, under `superclass`.
    fn build_class(
        &mut self,
        definition: &ClassDef,
        file: Rc<SourceFile>,
        superclass: Option<Gc<Class>>,
    ) -> Result<Gc<Class>, String> {
        self.without_collections(|u| {
            let layouts_layout = u.layouts.layout;
            let metaclass_layout = u.core.metaclass.instance_layout();
            let metaclass =
                Class::allocate(u, Some(metaclass_layout), metaclass_layout.field_count())
                    .unwrap_or_else(|e| fatal_out_of_memory(e));
            // The superclass's declared class-side fields, stored in place or not (MOP shapes);
            // a root class's metaclass inherits from Class: its class object has Class's fields.
            let class_field_count = match superclass {
                Some(s) => crate::intercession::declared_field_count(u, s.value()),
                None => u.core.class.instance_layout().field_count(),
            } + definition.class_fields.len();
            let class_side = Layout::allocate(
                u,
                Some(layouts_layout),
                metaclass.value(),
                class_field_count,
                Class::FIELDS_OFFSET,
            )
            .unwrap_or_else(|e| fatal_out_of_memory(e));
            metaclass.set_instance_layout(class_side);
            let class = Class::allocate(u, Some(class_side), class_field_count)
                .unwrap_or_else(|e| fatal_out_of_memory(e));
            let name = u.symbol(&definition.name);
            class.set_name(name);
            let meta_name = u.symbol(&format!("{} class", definition.name));
            metaclass.set_name(meta_name);
            match superclass {
                Some(superclass) => {
                    class.set_superclass(superclass.value());
                    metaclass.set_superclass(u.class_of(superclass.value()).value());
                }
                None => metaclass.set_superclass(u.core.class.value()),
            }
            let layout = Layout::allocate(
                u,
                Some(layouts_layout),
                class.value(),
                0,
                Instance::FIELDS_OFFSET,
            )
            .unwrap_or_else(|e| fatal_out_of_memory(e));
            class.set_instance_layout(layout);
            u.define_into(class, definition, file)?;
            if definition.name == DOUBLE_ARRAY_CLASS {
                u.bind_double_array_class(class)?;
            }
            Ok(class)
        })
    }

    fn resolve_superclass(
        &mut self,
        definition: &ClassDef,
        loading: &mut Vec<String>,
    ) -> Result<Option<Gc<Class>>, DefinitionError> {
        let name = match definition.superclass.as_deref() {
            Some("nil") => return Ok(None),
            Some(name) => name,
            None => "Object",
        };
        loading.push(definition.name.clone());
        if let Some(start) = loading.iter().position(|class| class == name) {
            let cycle = loading[start..].join(" -> ");
            let message = format!(
                "yerba: cannot load class {}: its superclasses form a cycle: {cycle} -> {name}",
                loading[start]
            );
            loading.pop();
            return Err(DefinitionError::Invalid(message));
        }
        let symbol = self.symbol(name);
        let loaded = self.load_class_below(symbol, loading);
        loading.pop();
        match loaded?.and_then(Class::of) {
            Some(superclass) => Ok(Some(superclass)),
            None => Err(DefinitionError::Invalid(format!(
                "yerba: cannot load class {}: its superclass {} was not found",
                definition.name, name
            ))),
        }
    }

    /// A stack overflow error unless the native stack has room to parse and compile a class:
    /// the parser's budget plus the compiler's recursion over the tallest expression tree the
    /// parser accepts. A class may be loaded, or `compile:` sent, at any recursion depth, and
    /// the reserve below the stack limit is too small for that.
    fn check_stack_for_compiling(&mut self) -> Result<(), Unwind> {
        let marker = 0u8;
        let here = std::hint::black_box(std::ptr::from_ref(&marker)).addr();
        if here
            < self
                .native_stack_limit
                .saturating_add(COMPILING_STACK_BYTES)
        {
            return Err(self.stack_overflow());
        }
        Ok(())
    }

    /// Gives `class` (already wired into the hierarchy) the fields and methods of `definition`.
    fn define_into(
        &mut self,
        class: Gc<Class>,
        definition: &ClassDef,
        file: Rc<SourceFile>,
    ) -> Result<(), String> {
        self.without_collections(|u| {
            let metaclass = u.class_of(class.value());
            let instance_fields = u.define_instance_fields(class, definition, &file)?;
            let class_fields = u.field_names(
                metaclass.superclass(),
                &definition.class_fields,
                &definition.name,
                &file,
            )?;
            if class_fields.len() != class.class_fields().len() {
                return Err(format!(
                    "{}: the core class {} cannot declare class-side fields",
                    file.path, definition.name
                ));
            }
            let class_symbols: Vec<Value> = class_fields.iter().map(|f| u.symbol(f)).collect();
            let array = u.new_array_from(&class_symbols);
            metaclass.set_instance_fields(array);
            let started = Instant::now();
            let (instance_methods, class_methods) =
                u.compile_both_sides(class, &instance_fields, &class_fields, definition, file)?;
            u.install_methods(class, &instance_methods);
            u.install_methods(metaclass, &class_methods);
            u.compilation_time += started.elapsed();
            Ok(())
        })
    }

    /// Gives `class` the names of its instance fields (inherited first) and a layout for its
    /// instances with as many fields; answers the names.
    ///
    /// The core classes other than `Object` and `System` have instances the VM makes with
    /// storage of their own (arrays, strings, blocks, numbers, class objects...), which keep
    /// their layout: fields that a classpath `Object.som` adds are named for them, but reading
    /// or writing one is an error. Class and metaclass objects are the exception that has
    /// them: boot sizes them for `Object`'s, `Class`'s and `Metaclass`'s fields.
    fn define_instance_fields(
        &mut self,
        class: Gc<Class>,
        definition: &ClassDef,
        file: &SourceFile,
    ) -> Result<Vec<String>, String> {
        let instance_fields = self.field_names(
            class.superclass(),
            &definition.instance_fields,
            &definition.name,
            file,
        )?;
        let layout = class.instance_layout();
        let own_storage = self.core.all().contains(&class)
            && class != self.core.object
            && class != self.core.system;
        if instance_fields.len() != layout.field_count() && !own_storage {
            let layouts_layout = self.layouts.layout;
            let layout = Layout::allocate(
                self,
                Some(layouts_layout),
                class.value(),
                instance_fields.len(),
                Instance::FIELDS_OFFSET,
            )
            .unwrap_or_else(|e| fatal_out_of_memory(e));
            class.set_instance_layout(layout);
        }
        let field_symbols: Vec<Value> = instance_fields.iter().map(|f| self.symbol(f)).collect();
        let array = self.new_array_from(&field_symbols);
        class.set_instance_fields(array);
        Ok(instance_fields)
    }

    /// Inherited field names followed by the class's own, rejecting redefinitions.
    fn field_names(
        &mut self,
        superclass: Value,
        own: &[String],
        class_name: &str,
        file: &SourceFile,
    ) -> Result<Vec<String>, String> {
        let mut names: Vec<String> = Vec::new();
        if Class::is_class(superclass) {
            // SAFETY: kind checked.
            let superclass: Gc<Class> = unsafe { Gc::from_value(superclass) };
            let inherited = superclass.instance_fields();
            if yerba_mop::object::Array::is_array(inherited) {
                // SAFETY: kind checked.
                let inherited: Gc<yerba_mop::object::Array> = unsafe { Gc::from_value(inherited) };
                names.extend(
                    inherited
                        .items()
                        .iter()
                        .map(|s| self.text_of(s.get()).to_string()),
                );
            }
        }
        let mut seen: FxHashSet<String> = names.iter().cloned().collect();
        for field in own {
            if !seen.insert(field.clone()) {
                return Err(format!(
                    "{}: Field '{field}' of class {class_name} is already defined in a superclass.",
                    file.path
                ));
            }
            names.push(field.clone());
        }
        Ok(names)
    }

    /// Compiles the instance and class-side methods of `definition` for `class`, whose
    /// instances have `instance_fields` and whose class object has `class_fields`.
    fn compile_both_sides(
        &mut self,
        class: Gc<Class>,
        instance_fields: &[String],
        class_fields: &[String],
        definition: &ClassDef,
        file: Rc<SourceFile>,
    ) -> Result<CompiledSides, String> {
        let metaclass = self.class_of(class.value());
        let instance_side = ClassContext::new(class, instance_fields, file.clone());
        let instance_methods = self.compile_methods(
            &instance_side,
            &definition.instance_methods,
            &definition.name,
            false,
        )?;
        let class_side = ClassContext::new(metaclass, class_fields, file);
        let class_methods = self.compile_methods(
            &class_side,
            &definition.class_methods,
            &definition.name,
            true,
        )?;
        Ok((instance_methods, class_methods))
    }

    /// Compiles the methods of one side of a class definition into (selector, method) pairs,
    /// in order. Runs with collections postponed: the pairs are not roots.
    fn compile_methods(
        &mut self,
        context: &ClassContext,
        methods: &[MethodDef],
        class_name: &str,
        class_side: bool,
    ) -> Result<Vec<(Value, Value)>, String> {
        let holder = context.holder;
        let mut compiled = Vec::with_capacity(methods.len());
        for definition in methods {
            let signature = self.symbol(&definition.selector);
            let method = match &definition.body {
                MethodBody::Primitive => {
                    let function = primitives::find(class_name, class_side, &definition.selector);
                    let layout = self.layouts.primitive;
                    let primitive = Primitive::allocate(self, layout, signature, function);
                    primitive.set_holder(holder.value());
                    primitive.value()
                }
                MethodBody::Code(body) => {
                    let code = compile_method(self, context, definition, body)
                        .map_err(|e| e.to_string())?;
                    let layout = self.layouts.method;
                    let method = Method::allocate(self, layout, signature, code);
                    method.set_holder(holder.value());
                    method.value()
                }
            };
            compiled.push((signature, method));
        }
        Ok(compiled)
    }

    /// Makes `methods` the methods of `holder`, in order, for reflection and for lookup.
    fn install_methods(&mut self, holder: Gc<Class>, methods: &[(Value, Value)]) {
        let array = self.new_array(methods.len());
        for (slot, (signature, method)) in array.items().iter().zip(methods) {
            slot.set(*method);
            holder.define(*signature, *method);
        }
        holder.set_methods(array.value());
    }

    /// Reports an unrecoverable error (a compile error, a broken library) and exits with 1.
    #[cold]
    pub fn fatal(&mut self, message: &str) -> ! {
        self.out.print_error(&format!("{message}\n"));
        self.exit(1)
    }
}

impl Universe {
    /// Compiles `source`, one method definition (`pattern = ( ... )`), into `holder` (a class
    /// or a metaclass), replacing a method with the same selector; every dispatch cache is
    /// invalidated. Answers the method. Anything else in `source` (fields, a class side, more
    /// methods, a primitive) is an error naming its position in `source`.
    pub fn compile_into(&mut self, holder: Gc<Class>, source: &str) -> Result<Value, Unwind> {
        self.check_stack_for_compiling()?;
        let class_name = self.class_name(holder.value());
        let file = Rc::new(SourceFile {
            path: format!("{class_name}>>compile:"),
            text: source.to_string(),
        });
        let method = match yerba_parser::parse_method(&file.text, &file.path) {
            Ok(method) => method,
            Err(error) => return Err(self.vm_error(error.to_string())),
        };
        let MethodBody::Code(body) = &method.body else {
            let message = format!(
                "{} cannot define primitives (method {}): they come only with a class's source file.",
                file.path, method.selector
            );
            return Err(self.vm_error(message));
        };
        let field_names = self.field_names_of(holder);
        let context = ClassContext::new(holder, &field_names, file.clone());
        let compiled = self.without_collections(|u| {
            compile_method(u, &context, &method, body).map(|code| {
                let signature = u.symbol(&method.selector);
                let layout = u.layouts.method;
                let method = Method::allocate(u, layout, signature, code);
                method.set_holder(holder.value());
                (signature, method.value())
            })
        });
        let (signature, method) = compiled.map_err(|error| self.vm_error(error.to_string()))?;
        let mut methods = Array::of(holder.methods())
            .map(|m| m.to_vec())
            .unwrap_or_default();
        match methods
            .iter()
            .position(|m| self.method_signature(*m) == Some(signature))
        {
            Some(index) => methods[index] = method,
            None => methods.push(method),
        }
        let array = self.new_array_from(&methods);
        holder.set_methods(array);
        holder.define(signature, method);
        self.method_installed(signature, method);
        Ok(method)
    }

    /// The selector of a Method or Primitive.
    pub fn method_signature(&self, method: Value) -> Option<Value> {
        match Target::of(method)? {
            Target::Method(m) => Some(m.signature()),
            Target::Primitive(p) => Some(p.signature()),
        }
    }
}

/// The (selector, method) pairs of a class's instance side and of its class side.
type CompiledSides = (Vec<(Value, Value)>, Vec<(Value, Value)>);

/// Why a class definition given at run time could not become a class.
pub enum DefinitionError {
    /// What is wrong with the definition: a compile error, a missing superclass, a repeated
    /// field, a superclass cycle.
    Invalid(String),
    /// Loading a superclass unwound (stack exhaustion, an error in its class side).
    Unwound(Unwind),
}

impl From<Unwind> for DefinitionError {
    fn from(unwind: Unwind) -> DefinitionError {
        DefinitionError::Unwound(unwind)
    }
}

impl From<String> for DefinitionError {
    fn from(message: String) -> DefinitionError {
        DefinitionError::Invalid(message)
    }
}

/// The core library's definitions, in boot order, read before boot: the storage of class and
/// metaclass objects depends on the fields `Object`, `Class` and `Metaclass` declare.
pub struct CoreSources {
    definitions: Vec<(ClassDef, Rc<SourceFile>)>,
}

impl CoreSources {
    /// Finds and parses every core class, from the classpath first.
    ///
    /// # Errors
    /// The message for a core class that is missing or does not parse.
    pub fn read(classpath: &[PathBuf]) -> Result<CoreSources, String> {
        let mut definitions = Vec::with_capacity(CORE_CLASSES.len());
        for (name, _) in CORE_CLASSES {
            let file = find_source(classpath, name).ok_or_else(|| {
                format!("yerba: the core class {name} was found neither on the classpath nor in the embedded library")
            })?;
            definitions.push((parse(&file)?, file));
        }
        Ok(CoreSources { definitions })
    }

    /// How many fields class objects and metaclass objects have, before class-side fields:
    /// they are instances of `Class` and of `Metaclass`, which inherit from `Object`.
    pub fn class_object_fields(&self) -> ClassObjectFields {
        let declared = |class: &str| {
            self.definitions
                .iter()
                .find(|(definition, _)| definition.name == class)
                .map_or(0, |(definition, _)| definition.instance_fields.len())
        };
        let class = declared("Object") + declared("Class");
        ClassObjectFields {
            class,
            metaclass: class + declared("Metaclass"),
        }
    }
}

fn find_source(classpath: &[PathBuf], name: &str) -> Option<Rc<SourceFile>> {
    for directory in classpath {
        let path = directory.join(format!("{name}.som"));
        if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            return Some(Rc::new(SourceFile {
                path: path.display().to_string(),
                text,
            }));
        }
    }
    yerba_som_lib::source_of(name).map(|text| {
        Rc::new(SourceFile {
            path: format!("som-lib/Smalltalk/{name}.som"),
            text: text.to_string(),
        })
    })
}

/// The class defined by `file`, which must be named after it.
fn parse(file: &SourceFile) -> Result<ClassDef, String> {
    let definition =
        yerba_parser::parse_class(&file.text, &file.path).map_err(|e| e.to_string())?;
    let stem = std::path::Path::new(&file.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if definition.name != stem {
        return Err(format!(
            "{}: the file defines class '{}', but its name says '{}'; a class must live in a file named after it.",
            file.path, definition.name, stem
        ));
    }
    Ok(definition)
}
