//! Element-wise DoubleArray loops ("kernels"), recognised when their unit compiles and emitted
//! as one tight loop over the arrays' floats, scalar or vectorised as the JIT lowering says
//! (`native/lowering.rs`). Two forms are recognised, for a `to:do:` counting up by 1 with the
//! loop variable `i`:
//!
//! - a map: `r at: i put: E`, and
//! - a sum: `t := t + E`, `t` a local of the loop's activation,
//!
//! where `E` combines with `+ - *` the elements `a at: i`, Doubles (literals) and variables,
//! and `r`, `a` and the variables are `self`, arguments or locals that the loop does not write.
//!
//! The loop is emitted behind guards on everything that makes it compute what the tree does:
//! no body patched (variable reads are plain), numbers' operators unredefined, the dispatch key
//! of the compilation (so `at:` and `at:put:` of DoubleArrays are still the primitives, and no
//! send is intercepted), every array a DoubleArray without an environment whose length covers
//! the range, every variable of `E` (and `t`) a Double, and the range starting at 1 or later.
//! When one fails, the loop runs as the tree says (the generic counting loop), which raises
//! the errors and sends the messages the interpreter would.
//!
//! The answers are the same bit for bit: each element is computed by the same operations in
//! the same order (there is no fused multiply-add), and a sum adds the elements in index
//! order, lane by lane, even when they are computed two at a time. Stored NaNs may keep a
//! payload that the tree's boxing would have made canonical; `at:` makes it canonical when it
//! answers the element, so no program can tell.

use super::{Lowering, Place, FRAME_RECEIVER, OBJECT_LAYOUT};
use crate::invokable::Target;
use crate::native::lowering::VectorShape;
use crate::nodes::{BinaryOperator, Node, NodeKind, ToDo};
use crate::primitives::{double_array_access, ArrayAccess};
use crate::universe::{ReflectionState, Universe};
use yerba_jit::{types, InstBuilder, IntCC, IrValue, Label, MemFlagsData};
use yerba_mop::object::{Class, DoubleArray, Gc, Layout};
use yerba_mop::Value;

/// The kernels of one unit, found before it is lowered (recognising one looks methods up).
#[derive(Default)]
pub struct Kernels {
    loops: Vec<(*const ToDo, Kernel)>,
}

impl Kernels {
    /// The kernels among the counting loops of `trees`, and `counting_loop` itself (the unit
    /// of a loop compiled on its own).
    pub fn find(u: &mut Universe, trees: &[&Node], counting_loop: Option<&ToDo>) -> Kernels {
        let mut loops = Vec::new();
        let mut consider = |u: &mut Universe, inlined: &ToDo| {
            if let Some(kernel) = recognise(u, inlined) {
                loops.push((inlined as *const ToDo, kernel));
            }
        };
        if let Some(inlined) = counting_loop {
            consider(u, inlined);
        }
        for tree in trees {
            tree.visit(&mut |node| {
                if let NodeKind::ToDo(inlined) = node.kind() {
                    consider(u, inlined);
                }
            });
        }
        Kernels { loops }
    }

    pub fn is_empty(&self) -> bool {
        self.loops.is_empty()
    }

    pub fn len(&self) -> usize {
        self.loops.len()
    }

    fn of(&self, inlined: &ToDo) -> Option<&Kernel> {
        self.loops
            .iter()
            .find(|(node, _)| std::ptr::eq(*node, inlined))
            .map(|(_, kernel)| kernel)
    }
}

/// A recognised loop, valid while the dispatch key is the one it was recognised under.
#[derive(Clone)]
pub(super) struct Kernel {
    key: u64,
    /// The layout of DoubleArrays (whose `at:` and `at:put:` are the primitives under `key`).
    layout: Gc<Layout>,
    /// The variables holding arrays, and those holding Doubles, each read once before the loop.
    arrays: Vec<Operand>,
    scalars: Vec<Operand>,
    form: Form,
}

/// A loop-invariant variable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operand {
    Receiver,
    Slot(u32),
}

#[derive(Clone)]
enum Form {
    /// `arrays[target] at: i put: value`.
    Map { target: usize, value: Element },
    /// `slot := slot + value`.
    Sum { slot: u32, value: Element },
}

/// What an element of the loop computes, per index.
#[derive(Clone)]
enum Element {
    /// `arrays[n] at: i`.
    Read(usize),
    /// `scalars[n]`.
    Scalar(usize),
    Constant(f64),
    Arithmetic(BinaryOperator, Box<Element>, Box<Element>),
}

/// `inlined` as a kernel, if it is one for the program as it is now.
fn recognise(u: &mut Universe, inlined: &ToDo) -> Option<Kernel> {
    let key = u.dispatch_key();
    let layout = u.layouts.double_array;
    let intercepting = key & 1 != 0;
    if inlined.downwards || inlined.step.is_some() || intercepting {
        return None;
    }
    if !Class::is_class(layout.class()) {
        return None;
    }
    let mut recogniser = Recogniser {
        u,
        layout,
        variable: inlined.variable_slot,
        sum: None,
        arrays: Vec::new(),
        scalars: Vec::new(),
    };
    let form = recogniser.form(single_statement(&inlined.body))?;
    Some(Kernel {
        key,
        layout,
        arrays: recogniser.arrays,
        scalars: recogniser.scalars,
        form,
    })
}

/// The statement of a one-statement body.
fn single_statement(body: &Node) -> &Node {
    match body.kind() {
        NodeKind::Sequence(statements) if statements.len() == 1 => &statements[0],
        _ => body,
    }
}

struct Recogniser<'u> {
    u: &'u mut Universe,
    layout: Gc<Layout>,
    /// The loop variable's slot.
    variable: u32,
    /// The slot a sum adds to.
    sum: Option<u32>,
    arrays: Vec<Operand>,
    scalars: Vec<Operand>,
}

impl Recogniser<'_> {
    fn form(&mut self, statement: &Node) -> Option<Form> {
        match statement.kind() {
            NodeKind::Send(send) if send.args.len() == 2 => {
                self.resolves(send.selector, ArrayAccess::AtPut)
                    .then_some(())?;
                self.is_loop_variable(&send.args[0]).then_some(())?;
                let target = self.operand(&send.receiver)?;
                let target = index_of(&mut self.arrays, target);
                let value = self.element(&send.args[1])?;
                Some(Form::Map { target, value })
            }
            NodeKind::VariableWrite(write) => {
                let variable = write.variable().filter(|v| v.depth == 0)?;
                if variable.slot == self.variable {
                    return None;
                }
                self.sum = Some(variable.slot);
                let NodeKind::BinaryOp(op) = write.value.kind() else {
                    return None;
                };
                let adds_to_itself = op.operator == BinaryOperator::Add
                    && matches!(op.left.kind(), NodeKind::LocalRead(slot) if *slot == variable.slot);
                adds_to_itself.then_some(())?;
                let value = self.element(&op.right)?;
                Some(Form::Sum {
                    slot: variable.slot,
                    value,
                })
            }
            _ => None,
        }
    }

    fn element(&mut self, node: &Node) -> Option<Element> {
        match node.kind() {
            NodeKind::Literal(value) => value.as_double().map(Element::Constant),
            NodeKind::BinaryOp(op) => {
                use BinaryOperator::*;
                matches!(op.operator, Add | Subtract | Multiply).then_some(())?;
                let left = self.element(&op.left)?;
                let right = self.element(&op.right)?;
                Some(Element::Arithmetic(
                    op.operator,
                    Box::new(left),
                    Box::new(right),
                ))
            }
            NodeKind::Send(send) if send.args.len() == 1 => {
                self.resolves(send.selector, ArrayAccess::At)
                    .then_some(())?;
                self.is_loop_variable(&send.args[0]).then_some(())?;
                let array = self.operand(&send.receiver)?;
                Some(Element::Read(index_of(&mut self.arrays, array)))
            }
            _ => {
                let scalar = self.operand(node)?;
                Some(Element::Scalar(index_of(&mut self.scalars, scalar)))
            }
        }
    }

    /// A read of a variable that the loop does not write.
    fn operand(&self, node: &Node) -> Option<Operand> {
        match node.kind() {
            NodeKind::SelfRead => Some(Operand::Receiver),
            NodeKind::ArgumentRead(slot) | NodeKind::LocalRead(slot)
                if *slot != self.variable && Some(*slot) != self.sum =>
            {
                Some(Operand::Slot(*slot))
            }
            _ => None,
        }
    }

    fn is_loop_variable(&self, node: &Node) -> bool {
        matches!(node.kind(), NodeKind::LocalRead(slot) | NodeKind::ArgumentRead(slot) if *slot == self.variable)
    }

    /// Whether DoubleArrays run the primitive `access` for `selector`.
    fn resolves(&mut self, selector: Value, access: ArrayAccess) -> bool {
        match self.u.lookup(self.layout, selector) {
            Some(Target::Primitive(primitive)) => primitive
                .function()
                .and_then(double_array_access)
                .is_some_and(|found| found == access),
            _ => false,
        }
    }
}

/// The index of `operand` in `operands`, added if new.
fn index_of(operands: &mut Vec<Operand>, operand: Operand) -> usize {
    operands
        .iter()
        .position(|o| *o == operand)
        .unwrap_or_else(|| {
            operands.push(operand);
            operands.len() - 1
        })
}

/// Loads and stores of array floats: they may be unaligned for vectors, and cannot trap.
fn float_access() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The values a kernel's loop reads, checked and unboxed before it.
struct Inputs {
    /// The address of each array's first float.
    items: Vec<IrValue>,
    /// Each scalar as a float, and as a vector of `lanes` copies.
    scalars: Vec<(IrValue, IrValue)>,
}

impl Lowering<'_, '_> {
    /// The kernel `inlined` is, if the unit found it to be one.
    pub(super) fn kernel_of(&self, inlined: &ToDo) -> Option<Kernel> {
        self.kernels.of(inlined).cloned()
    }

    /// Emits `kernel` over `from..=to` (machine integers) stepping by `by`: its guards go to
    /// `generic` (the loop as the tree says), its loop to `done`.
    pub(super) fn kernel(
        &mut self,
        kernel: &Kernel,
        inlined: &ToDo,
        (from, to, by): (IrValue, IrValue, IrValue),
        generic: Label,
        done: Label,
    ) {
        let shape = self.shape;
        self.kernel_guards(kernel, from, to, by, generic);
        let inputs = self.kernel_inputs(kernel, to, shape, generic);
        let sum = match &kernel.form {
            Form::Sum { slot, .. } => {
                let (base, offset) = self.address_of(Place::Slot(*slot));
                let total = self.e.load(base, offset);
                let is_double = self.e.is_double(total);
                self.continue_if(is_double, generic);
                let total = self.e.unbox_double(total);
                Some(self.e.variable(total))
            }
            Form::Map { .. } => None,
        };
        let start = self.e.b.ins().iadd_imm_s(from, -1);
        let index = self.e.variable(start);
        let step = shape.lanes * shape.unroll;
        if step > 1 {
            self.kernel_loop(kernel, &inputs, index, sum, to, shape);
        }
        let one_at_a_time = VectorShape::SCALAR;
        self.kernel_loop(kernel, &inputs, index, sum, to, one_at_a_time);
        let last = self.e.tag_int(to);
        let (base, offset) = self.address_of(Place::Slot(inlined.variable_slot));
        self.e.store(last, base, offset);
        if let (Form::Sum { slot, .. }, Some(sum)) = (&kernel.form, sum) {
            let total = self.e.b.use_var(sum);
            let total = self.e.box_double(total);
            let (base, offset) = self.address_of(Place::Slot(*slot));
            self.e.store(total, base, offset);
        }
        self.e.jump(done);
    }

    /// The guards that do not depend on the operands.
    fn kernel_guards(
        &mut self,
        kernel: &Kernel,
        from: IrValue,
        to: IrValue,
        by: IrValue,
        generic: Label,
    ) {
        let patched = self.patched();
        let numeric = self.e.load_byte(
            self.u,
            ReflectionState::numeric_operators_send_offset() as i32,
        );
        let flags = self.e.b.ins().bor(patched, numeric);
        let plain = self.e.b.ins().icmp_imm_s(IntCC::Equal, flags, 0);
        self.continue_if(plain, generic);
        let key = self.dispatch_key();
        let same_key = self.e.equal_to(key, kernel.key);
        self.continue_if(same_key, generic);
        let by_one = self.e.b.ins().icmp_imm_s(IntCC::Equal, by, 1);
        self.continue_if(by_one, generic);
        let from_one = self
            .e
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, from, 1);
        self.continue_if(from_one, generic);
        let some = self.e.b.ins().icmp(IntCC::SignedLessThanOrEqual, from, to);
        self.continue_if(some, generic);
    }

    /// Reads the operands, checking them.
    fn kernel_inputs(
        &mut self,
        kernel: &Kernel,
        to: IrValue,
        shape: VectorShape,
        generic: Label,
    ) -> Inputs {
        self.keep_alive.push(kernel.layout.value());
        let mut items = Vec::with_capacity(kernel.arrays.len());
        for operand in &kernel.arrays {
            let array = self.read_operand(*operand);
            let pointer = self.e.is_pointer(array);
            self.continue_if(pointer, generic);
            let layout = self.e.load(array, OBJECT_LAYOUT);
            let is_double_array = self.e.equal_to(layout, kernel.layout.value().bits());
            self.continue_if(is_double_array, generic);
            let length = self.e.load(array, DoubleArray::LENGTH_OFFSET as i32);
            let covers = self
                .e
                .b
                .ins()
                .icmp(IntCC::SignedLessThanOrEqual, to, length);
            self.continue_if(covers, generic);
            items.push(
                self.e
                    .b
                    .ins()
                    .iadd_imm_s(array, DoubleArray::ITEMS_OFFSET as i64),
            );
        }
        let mut scalars = Vec::with_capacity(kernel.scalars.len());
        for operand in &kernel.scalars {
            let value = self.read_operand(*operand);
            let is_double = self.e.is_double(value);
            self.continue_if(is_double, generic);
            let float = self.e.unbox_double(value);
            let vector = self.splat(float, shape.lanes);
            scalars.push((float, vector));
        }
        Inputs { items, scalars }
    }

    fn read_operand(&mut self, operand: Operand) -> IrValue {
        match operand {
            Operand::Receiver => self.e.load(self.frame, FRAME_RECEIVER),
            Operand::Slot(slot) => {
                let (base, offset) = self.address_of(Place::Slot(slot));
                self.e.load(base, offset)
            }
        }
    }

    /// `float` in each of `lanes` lanes (itself for one).
    fn splat(&mut self, float: IrValue, lanes: u32) -> IrValue {
        if lanes == 1 {
            float
        } else {
            self.e.b.ins().splat(types::F64X2, float)
        }
    }

    /// The loop over the elements from `index` on while `shape`'s steps fit before `to`,
    /// leaving `index` at the first element not done.
    fn kernel_loop(
        &mut self,
        kernel: &Kernel,
        inputs: &Inputs,
        index: yerba_jit::Variable,
        sum: Option<yerba_jit::Variable>,
        to: IrValue,
        shape: VectorShape,
    ) {
        let step = i64::from(shape.lanes * shape.unroll);
        let (body, exit) = (self.e.label(), self.e.label());
        // Tested before the first step and after each, so an iteration takes one branch.
        let fits = self.step_fits(index, step, to);
        self.e.branch(fits, body, exit);
        self.e.place(body);
        let current = self.e.b.use_var(index);
        let next = self.e.b.ins().iadd_imm_s(current, step);
        let offset = self.e.b.ins().ishl_imm_s(current, 3);
        for step in 0..shape.unroll {
            let displacement = (step * shape.lanes * 8) as i32;
            match &kernel.form {
                Form::Map { target, value } => {
                    let value = self.element(value, inputs, offset, displacement, shape.lanes);
                    let address = self.e.b.ins().iadd(inputs.items[*target], offset);
                    self.e
                        .b
                        .ins()
                        .store(float_access(), value, address, displacement);
                }
                Form::Sum { value, .. } => {
                    let value = self.element(value, inputs, offset, displacement, shape.lanes);
                    let sum = sum.expect("a sum has its variable");
                    let mut total = self.e.b.use_var(sum);
                    for lane in 0..shape.lanes {
                        let element = if shape.lanes == 1 {
                            value
                        } else {
                            self.e.b.ins().extractlane(value, lane as u8)
                        };
                        total = self.e.b.ins().fadd(total, element);
                    }
                    self.e.b.def_var(sum, total);
                }
            }
        }
        self.e.b.def_var(index, next);
        let fits = self.step_fits(index, step, to);
        self.e.branch(fits, body, exit);
        self.e.place(exit);
    }

    /// Whether a step of `step` floats from `index` ends at `to` or before.
    fn step_fits(&mut self, index: yerba_jit::Variable, step: i64, to: IrValue) -> IrValue {
        let current = self.e.b.use_var(index);
        let end = self.e.b.ins().iadd_imm_s(current, step);
        self.e.b.ins().icmp(IntCC::SignedLessThanOrEqual, end, to)
    }

    /// The value of `element` for the `lanes` elements at byte `offset + displacement`.
    fn element(
        &mut self,
        element: &Element,
        inputs: &Inputs,
        offset: IrValue,
        displacement: i32,
        lanes: u32,
    ) -> IrValue {
        match element {
            Element::Read(array) => {
                let address = self.e.b.ins().iadd(inputs.items[*array], offset);
                let ty = if lanes == 1 { types::F64 } else { types::F64X2 };
                self.e
                    .b
                    .ins()
                    .load(ty, float_access(), address, displacement)
            }
            Element::Scalar(n) => {
                let (float, vector) = inputs.scalars[*n];
                if lanes == 1 {
                    float
                } else {
                    vector
                }
            }
            Element::Constant(c) => {
                let float = self.e.b.ins().f64const(*c);
                self.splat(float, lanes)
            }
            Element::Arithmetic(operator, left, right) => {
                let left = self.element(left, inputs, offset, displacement, lanes);
                let right = self.element(right, inputs, offset, displacement, lanes);
                match operator {
                    BinaryOperator::Add => self.e.b.ins().fadd(left, right),
                    BinaryOperator::Subtract => self.e.b.ins().fsub(left, right),
                    _ => self.e.b.ins().fmul(left, right),
                }
            }
        }
    }
}
