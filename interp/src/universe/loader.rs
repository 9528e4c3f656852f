//! Class loading: finding a class's source on the classpath or in the embedded library,
//! building the class and metaclass objects, and compiling their methods.
//!
//! Compile errors while loading are fatal, as in every SOM VM: they are printed and the VM
//! exits with 1. `Class>>compile:` adds or replaces a method at run time (a VM error if it does
//! not compile) and invalidates every dispatch cache.

use super::boot::CORE_CLASSES;
use super::{fatal_out_of_memory, Universe};
use crate::compiler::{compile_method, ClassContext};
use crate::invokable::{Method, Primitive, Target};
use crate::primitives;
use crate::unwind::Unwind;
use crate::vm_error::SourceFile;
use std::rc::Rc;
use std::time::Instant;
use yerba_mop::object::{Array, Class, Gc, Instance, Layout};
use yerba_mop::Value;
use yerba_parser::syntax::{ClassDef, MethodBody, MethodDef};

impl Universe {
    /// Loads the core library over the boot classes and defines the initial globals.
    pub(super) fn load_core_library(&mut self) {
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
        for class in core {
            let name = self.text_of(class.name()).to_string();
            let Some(file) = self.find_source(&name) else {
                self.fatal(&format!("yerba: the core class {name} was found neither on the classpath nor in the embedded library"))
            };
            let definition = self.parse(&file);
            self.define_into(class, &definition, file);
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
        if let Some(existing) = self.globals.get(name) {
            return Ok(Some(existing));
        }
        let text = self.text_of(name).to_string();
        let Some(file) = self.find_source(&text) else {
            return Ok(None);
        };
        let started = Instant::now();
        let definition = self.parse(&file);
        let class = self.define_class(&definition, file);
        self.compilation_time += started.elapsed();
        Ok(Some(class.value()))
    }

    fn find_source(&self, name: &str) -> Option<Rc<SourceFile>> {
        for directory in &self.classpath {
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

    fn parse(&mut self, file: &SourceFile) -> ClassDef {
        let definition = yerba_parser::parse_class(&file.text, &file.path)
            .unwrap_or_else(|e| self.fatal(&e.to_string()));
        let stem = std::path::Path::new(&file.path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if definition.name != stem {
            self.fatal(&format!(
                "{}: the file defines class '{}', but its name says '{}'; a class must live in a file named after it.",
                file.path, definition.name, stem
            ));
        }
        definition
    }

    /// Builds a new class and metaclass from a definition and registers it as a global.
    fn define_class(&mut self, definition: &ClassDef, file: Rc<SourceFile>) -> Gc<Class> {
        let superclass = self.resolve_superclass(definition);
        self.without_collections(|u| {
            let layouts_layout = u.layouts.layout;
            let metaclass_layout = u.core.metaclass.instance_layout();
            let metaclass = Class::allocate(u, Some(metaclass_layout), 0)
                .unwrap_or_else(|e| fatal_out_of_memory(e));
            // The superclass's declared class-side fields, stored in place or not (MOP shapes).
            let class_field_count = match superclass {
                Some(s) => crate::intercession::declared_field_count(u, s.value()),
                None => 0,
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
            u.define_into(class, definition, file);
            u.globals.put(name, class.value());
            class
        })
    }

    fn resolve_superclass(&mut self, definition: &ClassDef) -> Option<Gc<Class>> {
        let name = match definition.superclass.as_deref() {
            Some("nil") => return None,
            Some(name) => name,
            None => "Object",
        };
        let symbol = self.symbol(name);
        let superclass = match self.load_class(symbol) {
            Ok(Some(class)) if Class::is_class(class) => class,
            _ => self.fatal(&format!(
                "yerba: cannot load class {}: its superclass {} was not found",
                definition.name, name
            )),
        };
        // SAFETY: kind checked.
        Some(unsafe { Gc::from_value(superclass) })
    }

    /// Gives `class` (already wired into the hierarchy) the fields and methods of `definition`.
    fn define_into(&mut self, class: Gc<Class>, definition: &ClassDef, file: Rc<SourceFile>) {
        self.without_collections(|u| {
            let layouts_layout = u.layouts.layout;
            let metaclass = u.class_of(class.value());
            let instance_fields = u.field_names(
                class.superclass(),
                &definition.instance_fields,
                &definition.name,
                &file,
            );
            let class_fields = u.field_names(
                metaclass.superclass(),
                &definition.class_fields,
                &definition.name,
                &file,
            );
            if class_fields.len() != class.class_fields().len() {
                u.fatal(&format!(
                    "{}: the core class {} cannot declare class-side fields",
                    file.path, definition.name
                ));
            }
            if instance_fields.len() != class.instance_layout().field_count() {
                let layout = Layout::allocate(
                    u,
                    Some(layouts_layout),
                    class.value(),
                    instance_fields.len(),
                    Instance::FIELDS_OFFSET,
                )
                .unwrap_or_else(|e| fatal_out_of_memory(e));
                class.set_instance_layout(layout);
            }
            let field_symbols: Vec<Value> = instance_fields.iter().map(|f| u.symbol(f)).collect();
            let array = u.new_array_from(&field_symbols);
            class.set_instance_fields(array);
            let class_symbols: Vec<Value> = class_fields.iter().map(|f| u.symbol(f)).collect();
            let array = u.new_array_from(&class_symbols);
            metaclass.set_instance_fields(array);
            let started = Instant::now();
            let instance_side = ClassContext {
                holder: class,
                field_names: &instance_fields,
                file: file.clone(),
            };
            u.install_methods(
                &instance_side,
                &definition.instance_methods,
                &definition.name,
                false,
            );
            let class_side = ClassContext {
                holder: metaclass,
                field_names: &class_fields,
                file,
            };
            u.install_methods(
                &class_side,
                &definition.class_methods,
                &definition.name,
                true,
            );
            u.compilation_time += started.elapsed();
        })
    }

    /// Inherited field names followed by the class's own, rejecting redefinitions.
    fn field_names(
        &mut self,
        superclass: Value,
        own: &[String],
        class_name: &str,
        file: &SourceFile,
    ) -> Vec<String> {
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
        for field in own {
            if names.contains(field) {
                self.fatal(&format!(
                    "{}: Field '{field}' of class {class_name} is already defined in a superclass.",
                    file.path
                ));
            }
            names.push(field.clone());
        }
        names
    }

    fn install_methods(
        &mut self,
        context: &ClassContext,
        methods: &[MethodDef],
        class_name: &str,
        class_side: bool,
    ) {
        let holder = context.holder;
        let array = self.new_array(methods.len());
        for (slot, definition) in array.items().iter().zip(methods) {
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
                        .unwrap_or_else(|e| self.fatal(&e.to_string()));
                    let layout = self.layouts.method;
                    let method = Method::allocate(self, layout, signature, code);
                    method.set_holder(holder.value());
                    method.value()
                }
            };
            slot.set(method);
            holder.define(signature, method);
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
    /// Compiles `source`, one method definition (`pattern = ( ... )`), into `holder`, replacing
    /// a method with the same selector; every dispatch cache is invalidated. Answers the method.
    pub fn compile_into(&mut self, holder: Gc<Class>, source: &str) -> Result<Value, Unwind> {
        let class_name = self.class_name(holder.value());
        let wrapped = format!("{class_name} = (\n{source}\n)");
        let file = Rc::new(SourceFile {
            path: format!("{class_name}>>compile:"),
            text: wrapped,
        });
        let definition = match yerba_parser::parse_class(&file.text, &file.path) {
            Ok(definition) => definition,
            Err(error) => return Err(self.vm_error(error.to_string())),
        };
        let [method] = definition.instance_methods.as_slice() else {
            return Err(self.vm_error("compile: takes exactly one method definition."));
        };
        let MethodBody::Code(body) = &method.body else {
            return Err(self.vm_error("compile: cannot define primitives."));
        };
        let field_names: Vec<String> = Array::of(holder.instance_fields())
            .map(|fields| {
                fields
                    .items()
                    .iter()
                    .map(|f| self.text_of(f.get()).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let context = ClassContext {
            holder,
            field_names: &field_names,
            file: file.clone(),
        };
        let compiled = self.without_collections(|u| {
            compile_method(u, &context, method, body).map(|code| {
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
    fn method_signature(&self, method: Value) -> Option<Value> {
        match Target::of(method)? {
            Target::Method(m) => Some(m.signature()),
            Target::Primitive(p) => Some(p.signature()),
        }
    }
}
