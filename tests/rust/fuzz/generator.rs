//! Random SOM programs built from the grammar, typed so that most of them run
//! to their end: a main class `FuzzMain` and a few helper classes `FuzzC<k>`
//! (fields, instance and class-side methods, subclasses overriding methods
//! and calling `super`), whose methods share selectors so that send sites see
//! several classes. Bodies use locals, blocks with 0 to 3 parameters, nested
//! blocks, non-local returns (also from blocks that escaped their method),
//! the inlined control structures, literal arrays, big integers, doubles,
//! strings and symbols, the library's collections, recursion (now and then
//! deep), `perform:`, `compile:`, `valueWithArguments:`, `instVarAt:`,
//! `changeShape:`, `doesNotUnderstand:arguments:` and now and then a send of
//! a library selector to random arguments.
//!
//! Termination is by construction: loops have literal bounds, method `m<k>`
//! only sends `m<j>` with `j < k`, recursion counts down, and every method's
//! estimated cost (nodes run, loops and calls multiplied out) stays under a
//! limit. Integers are reduced by a modulus whenever they are stored, so
//! big integers appear in expressions without growing without bound.
//! Nothing printed depends on addresses or time, so the output of a program
//! is the same with and without `--gc-stress`.

use crate::rng::Rng;
use crate::sends::random_send;

/// The class `yerba` runs.
pub const MAIN_CLASS: &str = "FuzzMain";

/// The types the generator keeps track of; every value it stores has one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Dbl,
    Bool,
    Str,
    /// An instance of one of the helper classes.
    Obj,
    /// An Array of helper instances, of every class.
    Objs,
    /// An Array of Integers.
    Ints,
    /// A Vector of Integers.
    Vec,
    /// A block taking that many Integers and answering an Integer.
    Blk(usize),
}

struct Var {
    name: String,
    ty: Ty,
    assignable: bool,
}

/// A helper class: its place in the hierarchy and what it defines.
struct ClassPlan {
    name: String,
    superclass: Option<usize>,
    own_fields: Vec<String>,
    /// Whether it defines `m<k>` (root classes define them all).
    defines: Vec<bool>,
    /// Estimated cost of its `m<k>` (inherited when not defined).
    costs: Vec<u64>,
    /// It or a superclass answers `escapedBlock:`.
    catches_escapes: bool,
    /// It or a superclass answers `doesNotUnderstand:arguments:`.
    catches_dnu: bool,
}

/// The generator's state for one method or block body being written.
struct Body {
    vars: Vec<Var>,
    /// Locals to declare at the top of the method.
    locals: Vec<String>,
    /// Selectors `m0..m<callable>` may be sent.
    callable: usize,
    /// The helper class whose method this is (`None`: FuzzMain).
    class: Option<usize>,
    /// The selector this body implements, if it is an `m<k>`.
    selector: Option<usize>,
    cost: u64,
    limit: u64,
    /// How often the code being written runs per activation (loops multiplied).
    times: u64,
    /// How many fresh names were used.
    fresh: usize,
    /// May the body contain `^` (not in `run`, whose early end would hide the rest).
    may_return: bool,
    /// Statements left to nest before only expressions are written.
    nesting: usize,
}

/// Moduli integers are reduced by when stored: small, around 2^49 (the
/// boundary of immediate integers) and beyond 64 bits.
const MODULI: &[&str] = &[
    "1000",
    "65537",
    "562949953421311",
    "1125899906842679",
    "18446744073709551629",
    "340282366920938463463374607431768211507",
];

const INT_LITERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "-1",
    "-5",
    "42",
    "1000",
    "65535",
    "-65536",
    "281474976710655",
    "281474976710656",
    "-281474976710656",
    "-281474976710657",
    "4611686018427387904",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551616",
    "123456789012345678901234567890",
    "-98765432109876543210987654321",
];

const DOUBLE_LITERALS: &[&str] = &[
    "0.0",
    "1.5",
    "-2.25",
    "3.14159",
    "1000000.0",
    "0.001",
    "-0.5",
    "123456789.125",
];

const STRING_LITERALS: &[&str] = &[
    "''",
    "'a'",
    "'hello'",
    "'two words'",
    "'tab\\there'",
    "'quote\\'s'",
    "'line\\nbreak'",
    "'❤ é ü'",
    "'123'",
    "'-42'",
];

const SYMBOL_LITERALS: &[&str] = &["#foo", "#at:put:", "#+", "#value:with:", "#'with space'"];

const LITERAL_ARRAYS: &[&str] = &[
    "#(1 2 3)",
    "#(-1 2.5 #sym 'str' #(4 5) 123456789012345678901234567890)",
    "#()",
    "#(7)",
    "#(#a #b:c: #+ 'x' -3.5)",
    "#(#(#(1)) #(2 3) true false nil)",
];

pub struct Generated {
    /// (file name, source); the main class first.
    pub files: Vec<(String, String)>,
}

/// A random program: the main class and its helper classes.
pub fn generate(rng: &mut Rng) -> Generated {
    let mut generator = Generator::new(rng);
    let mut files = Vec::new();
    let main = generator.main_class();
    files.push((format!("{MAIN_CLASS}.som"), main));
    for k in 0..generator.classes.len() {
        let source = generator.helper_source(k);
        files.push((format!("{}.som", generator.classes[k].name), source));
    }
    Generated { files }
}

struct Generator<'r> {
    rng: &'r mut Rng,
    classes: Vec<ClassPlan>,
    /// The number of arguments of `m<k>`.
    arities: Vec<usize>,
    /// The method bodies of each helper class, written as the costs are learnt.
    bodies: Vec<Vec<String>>,
}

impl<'r> Generator<'r> {
    fn new(rng: &'r mut Rng) -> Generator<'r> {
        let selectors = rng.between(2, 6);
        let arities: Vec<usize> = (0..selectors).map(|_| rng.below(3)).collect();
        let count = rng.between(1, 4);
        let mut classes: Vec<ClassPlan> = Vec::new();
        let mut field_counter = 0;
        for k in 0..count {
            let superclass = if k > 0 && rng.chance(60) {
                Some(rng.below(k))
            } else {
                None
            };
            let own = if superclass.is_none() {
                rng.between(1, 4)
            } else {
                rng.below(3)
            };
            let own_fields = (0..own)
                .map(|_| {
                    field_counter += 1;
                    format!("f{field_counter}")
                })
                .collect();
            let defines = (0..selectors)
                .map(|_| superclass.is_none() || rng.chance(50))
                .collect();
            let inherited =
                |flag: fn(&ClassPlan) -> bool| superclass.is_some_and(|s| flag(&classes[s]));
            let catches_escapes = inherited(|c| c.catches_escapes)
                || rng.chance(if superclass.is_none() { 85 } else { 20 });
            let catches_dnu = inherited(|c| c.catches_dnu) || rng.chance(40);
            classes.push(ClassPlan {
                name: format!("FuzzC{k}"),
                superclass,
                own_fields,
                defines,
                costs: vec![0; selectors],
                catches_escapes,
                catches_dnu,
            });
        }
        let mut generator = Generator {
            rng,
            classes,
            arities,
            bodies: vec![Vec::new(); count],
        };
        generator.write_selector_methods();
        generator
    }

    // -- classes -------------------------------------------------------------

    fn fields_of(&self, class: usize) -> Vec<String> {
        let plan = &self.classes[class];
        let mut fields = plan.superclass.map_or_else(Vec::new, |s| self.fields_of(s));
        fields.extend(plan.own_fields.iter().cloned());
        fields
    }

    fn is_root(&self, class: usize) -> bool {
        self.classes[class].superclass.is_none()
    }

    /// The most a send of `m<k>` may cost, whatever the receiver's class.
    fn selector_cost(&self, k: usize) -> u64 {
        self.classes.iter().map(|c| c.costs[k]).max().unwrap_or(1)
    }

    /// Writes `m0`, `m1`, ... of every class, cheapest selectors first, so
    /// that each body knows the cost of what it sends.
    fn write_selector_methods(&mut self) {
        for k in 0..self.arities.len() {
            for class in 0..self.classes.len() {
                if !self.classes[class].defines[k] {
                    let inherited = self.classes[class]
                        .superclass
                        .map_or(1, |s| self.classes[s].costs[k]);
                    self.classes[class].costs[k] = inherited;
                    continue;
                }
                let (source, cost) = self.selector_method(class, k);
                self.classes[class].costs[k] = cost;
                self.bodies[class].push(source);
            }
        }
    }

    fn pattern(&self, k: usize, args: &[String]) -> String {
        match args {
            [] => format!("m{k}"),
            [a] => format!("m{k}: {a}"),
            [a, b] => format!("m{k}: {a} with: {b}"),
            _ => unreachable!("selectors have at most two arguments"),
        }
    }

    fn selector_method(&mut self, class: usize, k: usize) -> (String, u64) {
        let args: Vec<String> = (0..self.arities[k]).map(|i| format!("a{i}")).collect();
        let mut body = self.method_body(Some(class), k, 4000);
        body.selector = Some(k);
        for arg in &args {
            body.vars.push(Var {
                name: arg.clone(),
                ty: Ty::Int,
                assignable: false,
            });
        }
        if self.rng.chance(20) {
            // The shapes a send site runs without an activation.
            let fields = self.fields_of(class);
            let answer = match self.rng.below(3) {
                0 => self.rng.pick(&fields).clone(),
                1 if !args.is_empty() => self.rng.pick(&args).clone(),
                _ => self.rng.pick(INT_LITERALS).to_string(),
            };
            return (
                format!("    {} = ( ^ {answer} )\n", self.pattern(k, &args)),
                1,
            );
        }
        let statements = self.statements(&mut body, (0, 4), 8);
        let result = self.stored_int(&mut body);
        let source = format!(
            "    {} = (\n{}{}        ^ {result}\n    )\n",
            self.pattern(k, &args),
            declare(&body.locals, 8),
            statements
        );
        (source, body.cost.max(1))
    }

    fn method_body(&self, class: Option<usize>, callable: usize, limit: u64) -> Body {
        let fields = match class {
            Some(c) => self.fields_of(c),
            None => Vec::new(),
        };
        Body {
            vars: fields
                .into_iter()
                .map(|name| Var {
                    name,
                    ty: Ty::Int,
                    assignable: true,
                })
                .collect(),
            locals: Vec::new(),
            callable,
            class,
            selector: None,
            cost: 0,
            limit,
            times: 1,
            fresh: 0,
            may_return: true,
            nesting: 2,
        }
    }

    fn helper_source(&mut self, class: usize) -> String {
        let plan = &self.classes[class];
        let superclass = plan
            .superclass
            .map_or("Object".to_string(), |s| self.classes[s].name.clone());
        let name = plan.name.clone();
        let own_fields = plan.own_fields.clone();
        let mut methods = self.bodies[class].concat();
        methods.push_str(&self.init_method(class));
        if self.is_root(class) {
            methods.push_str(&self.recursion_method(class));
            methods.push_str(&self.escaping_methods(class));
        }
        if self.classes[class].catches_escapes && (self.is_root(class) || self.rng.chance(30)) {
            let answer = self.rng.pick(INT_LITERALS);
            methods.push_str(&format!("    escapedBlock: aBlock = ( ^ {answer} )\n"));
        }
        if self.classes[class].catches_dnu
            && self.classes[class]
                .superclass
                .is_none_or(|s| !self.classes[s].catches_dnu)
        {
            methods.push_str(
                "    doesNotUnderstand: selector arguments: arguments = ( ^ arguments length + selector length )\n",
            );
        }
        let class_side = if self.is_root(class) {
            "    ----\n    | made |\n    new = ( made := (made ifNil: [ 0 ]) + 1. ^ super new init )\n    made = ( ^ made )\n"
                .to_string()
        } else {
            String::new()
        };
        format!(
            "{name} = {superclass} (\n    | {} |\n{methods}{class_side})\n",
            own_fields.join(" ")
        )
    }

    /// `init` gives every field an Integer, so that no method meets a nil.
    fn init_method(&mut self, class: usize) -> String {
        let mut text = String::from("    init = (\n");
        if !self.is_root(class) {
            text.push_str("        super init.\n");
        }
        for field in self.classes[class].own_fields.clone() {
            text.push_str(&format!(
                "        {field} := {}.\n",
                self.rng.pick(INT_LITERALS)
            ));
        }
        text.push_str("    )\n");
        text
    }

    /// `rec: n` counts down, through a block now and then; the callers pick
    /// the depth (deep now and then).
    fn recursion_method(&mut self, class: usize) -> String {
        let field = self.rng.pick(&self.fields_of(class)).clone();
        let step = if self.rng.chance(50) {
            "(self rec: n - 1)".to_string()
        } else {
            "([:k | self rec: k] value: n - 1)".to_string()
        };
        format!(
            "    rec: n = (\n        n <= 0 ifTrue: [ ^ {field} % 1000 ].\n        ^ ({step} + n) % 1000003\n    )\n"
        )
    }

    /// `escaper` answers a block with a `^` whose method has returned;
    /// `apply:` evaluates a block in a frame of its own (a `^` in it returns
    /// through `apply:`).
    fn escaping_methods(&mut self, class: usize) -> String {
        let field = self.rng.pick(&self.fields_of(class)).clone();
        format!(
            "    escaper = ( ^ [:x | ^ x + {field} ] )\n    apply: aBlock = ( ^ aBlock value: {field} % 100 )\n"
        )
    }

    // -- the main class ------------------------------------------------------

    fn main_class(&mut self) -> String {
        let mut helpers = String::new();
        let helper_count = self.rng.between(0, 2);
        let mut helper_costs = Vec::new();
        for h in 0..helper_count {
            let mut body = self.method_body(None, self.arities.len(), 20_000);
            body.vars.push(Var {
                name: "x".to_string(),
                ty: Ty::Int,
                assignable: false,
            });
            let objects = self.object_locals(&mut body);
            let statements = self.statements(&mut body, (1, 5), 8);
            let result = self.stored_int(&mut body);
            helpers.push_str(&format!(
                "    helper{h}: x = (\n{}{objects}{statements}        ^ {result}\n    )\n",
                declare(&body.locals, 8)
            ));
            helper_costs.push(body.cost.max(1));
        }
        let mut body = self.method_body(None, self.arities.len(), 200_000);
        body.may_return = false;
        let objects = self.object_locals(&mut body);
        let helper_cost = helper_costs.iter().copied().max().unwrap_or(0);
        let mut run = String::new();
        let count = self.rng.between(5, 30);
        for _ in 0..count {
            if helper_count > 0 && self.rng.chance(10) && body.cost + helper_cost < body.limit {
                body.cost += helper_cost;
                let h = self.rng.below(helper_count);
                let arg = self.int_expr(&mut body, 2);
                run.push_str(&format!("        (self helper{h}: {arg}) println.\n"));
            } else {
                run.push_str(&self.statement(&mut body, 8));
            }
        }
        let class_side_answer = self.rng.pick(INT_LITERALS);
        format!(
            "{MAIN_CLASS} = (\n{helpers}    run = (\n{}{objects}{run}        self class made println.\n        'done' println\n    )\n    ----\n    | made |\n    made = ( ^ made ifNil: [ made := {class_side_answer} ] )\n)\n",
            declare(&body.locals, 8)
        )
    }

    /// Locals holding objects, collections and blocks, set at the start of a
    /// method of FuzzMain.
    fn object_locals(&mut self, body: &mut Body) -> String {
        let mut text = String::new();
        for name in ["o0", "o1"] {
            let class = self.rng.below(self.classes.len());
            text.push_str(&format!(
                "        {name} := {} new.\n",
                self.classes[class].name
            ));
            self.declare_var(body, name, Ty::Obj);
        }
        let all: Vec<String> = self
            .classes
            .iter()
            .map(|c| format!("{} new", c.name))
            .collect();
        text.push_str(&format!("        objs := Array new: {}.\n", all.len()));
        for (i, make) in all.iter().enumerate() {
            text.push_str(&format!("        objs at: {} put: {make}.\n", i + 1));
        }
        self.declare_var(body, "objs", Ty::Objs);
        let length = self.rng.between(1, 6);
        let fill = self.int_expr(body, 1);
        text.push_str(&format!(
            "        ints := Array new: {length} withAll: ({fill}) % 1000.\n"
        ));
        self.declare_var(body, "ints", Ty::Ints);
        text.push_str("        vec := Vector new.\n");
        self.declare_var(body, "vec", Ty::Vec);
        for arity in 0..3 {
            let name = format!("blk{arity}");
            let block = self.block(body, arity, false);
            text.push_str(&format!("        {name} := {block}.\n"));
            self.declare_var(body, &name, Ty::Blk(arity));
        }
        text
    }

    fn declare_var(&self, body: &mut Body, name: &str, ty: Ty) {
        body.locals.push(name.to_string());
        body.vars.push(Var {
            name: name.to_string(),
            ty,
            assignable: false,
        });
    }

    /// A fresh Integer local, initialised.
    fn fresh_int_local(&mut self, body: &mut Body) -> (String, String) {
        body.fresh += 1;
        let name = format!("t{}", body.fresh);
        let value = self.stored_int(body);
        body.locals.push(name.clone());
        (name, value)
    }

    // -- statements ----------------------------------------------------------

    /// Between `count.0` and `count.1` statements, indented by `indent` spaces; the Integer locals
    /// they introduce are not visible after them (they may not have run).
    fn statements(&mut self, body: &mut Body, count: (usize, usize), indent: usize) -> String {
        let count = self.rng.between(count.0, count.1);
        (0..count).map(|_| self.statement(body, indent)).collect()
    }

    /// Statements nested in a branch or loop: one level deeper, and what they
    /// declare stays inside.
    fn nested_statements(
        &mut self,
        body: &mut Body,
        count: (usize, usize),
        indent: usize,
    ) -> String {
        let visible = body.vars.len();
        body.nesting -= 1;
        let text = self.statements(body, count, indent + 4);
        body.nesting += 1;
        body.vars.truncate(visible);
        text
    }

    fn statement(&mut self, body: &mut Body, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let nested = body.nesting > 0;
        let choice = self.rng.below(if nested { 30 } else { 12 });
        let text = match choice {
            0..=2 => {
                let (name, value) = self.fresh_int_local(body);
                body.vars.push(Var {
                    name: name.clone(),
                    ty: Ty::Int,
                    assignable: true,
                });
                format!("{name} := {value}.")
            }
            3 | 4 => match self.assignable_int(body) {
                Some(name) => format!("{name} := {}.", self.stored_int(body)),
                None => format!("{} println.", self.int_expr(body, 3)),
            },
            5..=7 => {
                let ty = *self
                    .rng
                    .pick(&[Ty::Int, Ty::Int, Ty::Dbl, Ty::Bool, Ty::Str]);
                format!("{} println.", self.expr(body, ty, 3))
            }
            8 => self.object_statement(body),
            9 => format!("{}.", self.int_expr(body, 3)),
            10 if body.may_return && self.rng.chance(30) => {
                let condition = self.bool_expr(body, 2);
                format!("{condition} ifTrue: [ ^ {} ].", self.stored_int(body))
            }
            11 if self.rng.chance(20) => "system fullGC.".to_string(),
            12..=15 => {
                let condition = self.bool_expr(body, 2);
                let then = self.nested_statements(body, (1, 3), indent);
                if self.rng.chance(50) {
                    let otherwise = self.nested_statements(body, (1, 2), indent);
                    format!("{condition}\n{pad}    ifTrue: [\n{then}{pad}    ] ifFalse: [\n{otherwise}{pad}    ].")
                } else {
                    let selector = if self.rng.chance(70) {
                        "ifTrue:"
                    } else {
                        "ifFalse:"
                    };
                    format!("{condition} {selector} [\n{then}{pad}].")
                }
            }
            16..=21 => self.loop_statement(body, indent),
            _ => self.object_statement(body),
        };
        format!("{pad}{text}\n")
    }

    fn assignable_int(&mut self, body: &Body) -> Option<String> {
        let names: Vec<&Var> = body
            .vars
            .iter()
            .filter(|v| v.assignable && v.ty == Ty::Int)
            .collect();
        if names.is_empty() {
            return None;
        }
        Some(self.rng.pick(&names).name.clone())
    }

    /// A loop of a literal number of rounds, if the body's budget allows.
    fn loop_statement(&mut self, body: &mut Body, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let rounds = self.rng.between(0, 12) as u64;
        if body.times * (rounds + 1) > 2000 {
            return format!("{}.", self.int_expr(body, 2));
        }
        let saved_times = body.times;
        body.times *= rounds + 1;
        body.fresh += 1;
        let index = format!("i{}", body.fresh);
        let kind = self.rng.below(9);
        let binds_index = matches!(kind, 0..=2 | 5 | 6);
        let visible = body.vars.len();
        if binds_index {
            body.vars.push(Var {
                name: index.clone(),
                ty: Ty::Int,
                assignable: false,
            });
        }
        let inner = self.nested_statements(body, (1, 3), indent);
        body.vars.truncate(visible);
        body.times = saved_times;
        let step = self.rng.between(1, 3);
        match kind {
            0 => format!("1 to: {rounds} do: [:{index} |\n{inner}{pad}]."),
            1 => format!(
                "1 to: {} by: {step} do: [:{index} |\n{inner}{pad}].",
                rounds * step as u64
            ),
            2 => format!("{rounds} downTo: 1 by: {step} do: [:{index} |\n{inner}{pad}]."),
            3 => format!("{rounds} timesRepeat: [\n{inner}{pad}]."),
            4 => {
                body.fresh += 1;
                let counter = format!("w{}", body.fresh);
                body.locals.push(counter.clone());
                let (test, selector) = if self.rng.chance(50) {
                    (format!("{counter} < {rounds}"), "whileTrue:")
                } else {
                    (format!("{counter} >= {rounds}"), "whileFalse:")
                };
                format!("{counter} := 0.\n{pad}[ {test} ] {selector} [\n{inner}{pad}    {counter} := {counter} + 1 ].")
            }
            5 => format!("(Array new: {rounds} withAll: 3) do: [:{index} |\n{inner}{pad}]."),
            6 => format!("{rounds} downTo: 1 do: [:{index} |\n{inner}{pad}]."),
            7 => format!("(Array new: {rounds}) doIndexes: [:unused |\n{inner}{pad}]."),
            _ => format!("1 to: {rounds} do: [:unused |\n{inner}{pad}]."),
        }
    }

    /// Statements on objects, collections and classes: the reflective and
    /// library-facing part of the grammar.
    fn object_statement(&mut self, body: &mut Body) -> String {
        // The methods of FuzzMain have them all (see object_locals).
        let has_objects = body.vars.iter().any(|v| v.ty == Ty::Objs);
        match self.rng.below(16) {
            0 | 1 if has_objects => format!("vec append: {}.", self.int_expr(body, 2)),
            2 if has_objects => "vec isEmpty ifFalse: [ vec remove ].".to_string(),
            3 if has_objects => {
                let value = self.int_expr(body, 2);
                format!("vec size > 0 ifTrue: [ vec at: 1 put: {value} ].")
            }
            4 if has_objects => {
                let index = self.int_expr(body, 2);
                let value = self.stored_int(body);
                format!("ints at: ({index}) abs % ints length + 1 put: {value}.")
            }
            5 => self.compile_statement(),
            6 if has_objects => {
                let from = self.rng.below(self.classes.len());
                let to = self.rng.below(self.classes.len());
                let same = self.fields_of(from).len() == self.fields_of(to).len();
                if same || self.rng.chance(15) {
                    format!(
                        "o1 := {} new. o1 changeShape: (o1 shape installClass: {}).",
                        self.classes[from].name, self.classes[to].name
                    )
                } else {
                    format!("o1 := {} new.", self.classes[to].name)
                }
            }
            7 if has_objects => {
                let class = self.rng.below(self.classes.len());
                let fields = self.fields_of(class).len();
                let index = self.rng.between(1, fields);
                let value = self.stored_int(body);
                format!(
                    "o0 := {} new. o0 instVarAt: {index} put: {value}. (o0 instVarAt: {index}) println.",
                    self.classes[class].name
                )
            }
            8 if self.rng.chance(30) => format!("{}.", random_send(self.rng)),
            9 => {
                let class = self.rng.below(self.classes.len());
                let name = self.classes[class].name.clone();
                match self.rng.below(4) {
                    0 => format!("{name} name println. {name} superclass println."),
                    1 => {
                        format!("({name} fields length) println. ({name} methods length) println.")
                    }
                    2 => format!("({name} new respondsTo: #m0) println."),
                    _ => format!("({name} hasMethod: #rec:) println."),
                }
            }
            10 if has_objects => {
                let k = self.rng.below(self.arities.len());
                match self.send_cost(body, k, 4) {
                    Some(()) => {
                        let send = self.send_to("o", k, body);
                        format!("objs do: [:o | ({send}) println ].")
                    }
                    None => format!("{} println.", self.int_expr(body, 1)),
                }
            }
            11 => {
                let class = self.rng.below(self.classes.len());
                if self.classes[class].catches_dnu {
                    let arg = self.int_expr(body, 1);
                    format!(
                        "({} new zork: {arg} with: 2) println. ({} new zork) println.",
                        self.classes[class].name, self.classes[class].name
                    )
                } else {
                    "(nil ifNil: [ 'nil' ] ifNotNil: [ 'not nil' ]) println.".to_string()
                }
            }
            12 => {
                let array = self.rng.pick(LITERAL_ARRAYS);
                format!("{array} println. ({array} length) println.")
            }
            13 => {
                let string = self.str_expr(body, 2);
                format!(
                    "({string}) asSymbol println. (({string}) concatenate: {}) println.",
                    self.rng.pick(SYMBOL_LITERALS)
                )
            }
            14 => {
                let key = self.int_expr(body, 1);
                let value = self.int_expr(body, 1);
                body.locals.push("dict".to_string());
                format!(
                    "dict := Dictionary new. dict at: ({key}) % 5 put: {value}. ((dict at: 3) ifNil: [ 'none' ]) println."
                )
            }
            _ => format!("{} println.", self.int_expr(body, 3)),
        }
    }

    /// `FuzzC<k> compile: '...'`: redefines (or adds) a selector method on
    /// one class with a body that sends nothing, so the costs still hold.
    fn compile_statement(&mut self) -> String {
        let class = self.rng.below(self.classes.len());
        let k = self.rng.below(self.arities.len());
        let args: Vec<String> = (0..self.arities[k]).map(|i| format!("a{i}")).collect();
        let class_side = self.rng.chance(8);
        let mut body = self.method_body((!class_side).then_some(class), 0, 50);
        body.nesting = 0;
        for arg in &args {
            body.vars.push(Var {
                name: arg.clone(),
                ty: Ty::Int,
                assignable: false,
            });
        }
        let result = self.stored_int(&mut body);
        let source = format!("{} = ( ^ {result} )", self.pattern(k, &args))
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        let side = if class_side { " class" } else { "" };
        format!("{}{side} compile: '{source}'.", self.classes[class].name)
    }

    // -- expressions ---------------------------------------------------------

    fn expr(&mut self, body: &mut Body, ty: Ty, depth: usize) -> String {
        body.cost += body.times;
        match ty {
            Ty::Int => self.int_expr(body, depth),
            Ty::Dbl => self.dbl_expr(body, depth),
            Ty::Bool => self.bool_expr(body, depth),
            Ty::Str => self.str_expr(body, depth),
            _ => self.int_expr(body, depth),
        }
    }

    /// An Integer small enough to store: reduced by a modulus.
    fn stored_int(&mut self, body: &mut Body) -> String {
        let value = self.int_expr(body, 3);
        format!("({value}) % {}", self.rng.pick(MODULI))
    }

    fn var_of(&mut self, body: &Body, ty: Ty) -> Option<String> {
        let names: Vec<&Var> = body.vars.iter().filter(|v| v.ty == ty).collect();
        if names.is_empty() {
            None
        } else {
            Some(self.rng.pick(&names).name.clone())
        }
    }

    fn int_leaf(&mut self, body: &mut Body) -> String {
        if self.rng.chance(60) {
            if let Some(name) = self.var_of(body, Ty::Int) {
                return name;
            }
        }
        self.rng.pick(INT_LITERALS).to_string()
    }

    fn int_expr(&mut self, body: &mut Body, depth: usize) -> String {
        body.cost += body.times;
        if depth == 0 || self.rng.chance(25) {
            return self.int_leaf(body);
        }
        let d = depth - 1;
        match self.rng.below(30) {
            0..=2 => {
                let op = self.rng.pick(&["+", "-", "*", "+", "-"]);
                format!(
                    "({} {op} {})",
                    self.int_expr(body, d),
                    self.int_expr(body, d)
                )
            }
            3 => {
                let divisor = self
                    .rng
                    .pick(&["3", "-7", "1000", "18446744073709551616", "-2"]);
                let op = self.rng.pick(&["/", "%", "rem:"]);
                format!("({} {op} {divisor})", self.int_expr(body, d))
            }
            4 => {
                let op = self.rng.pick(&["max:", "min:", "&", "bitXor:"]);
                format!(
                    "({} {op} {})",
                    self.int_expr(body, d),
                    self.int_expr(body, d)
                )
            }
            5 => {
                let op = self.rng.pick(&["<<", ">>>"]);
                let shift = self.rng.between(0, 70);
                format!("({} {op} {shift})", self.int_expr(body, d))
            }
            6 => {
                let op = self.rng.pick(&["abs", "negated", "asString length"]);
                format!("({} {op})", self.int_expr(body, d))
            }
            7 => format!(
                "({} ifTrue: [ {} ] ifFalse: [ {} ])",
                self.bool_expr(body, d),
                self.int_expr(body, d),
                self.int_expr(body, d)
            ),
            8 => {
                let op = self.rng.pick(&["round", "asInteger"]);
                format!("({} {op})", self.dbl_expr(body, d))
            }
            9 => format!("(({}) abs sqrt asInteger)", self.int_expr(body, d)),
            10..=13 => self.send_expr(body, d),
            14 => self.block_eval(body, d),
            15 => {
                if let Some(ints) = self.var_of(body, Ty::Ints) {
                    let index = self.int_expr(body, d);
                    format!("({ints} at: ({index}) abs % {ints} length + 1)")
                } else {
                    format!("(#(5 6 7) at: ({}) abs % 3 + 1)", self.int_expr(body, d))
                }
            }
            16 => match self.var_of(body, Ty::Ints) {
                Some(ints) if self.rng.chance(50) => {
                    format!("({ints} inject: 0 into: [:acc :each | acc + each])")
                }
                _ => format!("({} length)", self.rng.pick(LITERAL_ARRAYS)),
            },
            17 => match self.var_of(body, Ty::Vec) {
                Some(vec) => format!("({vec} size)"),
                None => format!("({} length)", self.str_expr(body, d)),
            },
            18 => format!("({} length)", self.str_expr(body, d)),
            19 => format!(
                "(({}) ifNil: [ 0 ] ifNotNil: [ 1 ])",
                self.rng.pick(&["nil", "3", "self", "'x'"])
            ),
            20 => {
                let receiver = self.int_expr(body, d);
                let low = self.int_expr(body, d);
                format!(
                    "(({receiver} between: {low} and: {low} + 10) ifTrue: [ 1 ] ifFalse: [ 2 ])"
                )
            }
            21 => self.recursion_expr(body),
            22 => self.escape_expr(body),
            23 => self.nonlocal_expr(body, d),
            24 => {
                if self.rng.chance(50) {
                    format!("(({} % 1000) sqrt asInteger)", self.int_expr(body, d))
                } else {
                    format!("({} asDouble round)", self.int_expr(body, d))
                }
            }
            25 => {
                let class = self.rng.below(self.classes.len());
                format!("({} made)", self.classes[class].name)
            }
            26 => format!(
                "(Integer fromString: ({}) asString)",
                self.int_expr(body, d)
            ),
            _ => format!("({} + {})", self.int_expr(body, d), self.int_leaf(body)),
        }
    }

    /// Reserves the cost of sending `m<k>` `times` times; `None` if the
    /// budget is spent or `m<k>` may not be sent here.
    fn send_cost(&mut self, body: &mut Body, k: usize, times: u64) -> Option<()> {
        if k >= body.callable {
            return None;
        }
        let cost = self.selector_cost(k) * body.times * times;
        if body.cost + cost > body.limit {
            return None;
        }
        body.cost += cost;
        Some(())
    }

    /// `receiver m<k>...` with Integer arguments.
    fn send_to(&mut self, receiver: &str, k: usize, body: &mut Body) -> String {
        let args: Vec<String> = (0..self.arities[k])
            .map(|_| self.int_expr(body, 1))
            .collect();
        match args.as_slice() {
            [] => format!("{receiver} m{k}"),
            [a] => format!("{receiver} m{k}: {a}"),
            [a, b] => format!("{receiver} m{k}: {a} with: {b}"),
            _ => unreachable!("selectors have at most two arguments"),
        }
    }

    fn symbol_of(&self, k: usize) -> String {
        match self.arities[k] {
            0 => format!("#m{k}"),
            1 => format!("#m{k}:"),
            _ => format!("#m{k}:with:"),
        }
    }

    /// A send of one of the shared selectors, to an object of any class, by
    /// an ordinary send, `super`, `perform:` or through a polymorphic site.
    fn send_expr(&mut self, body: &mut Body, depth: usize) -> String {
        if body.callable == 0 {
            return self.int_leaf(body);
        }
        let k = self.rng.below(body.callable);
        let overriding_own = body.selector.filter(|_| self.rng.chance(40));
        if let (Some(own), Some(class)) = (overriding_own, body.class) {
            if let Some(superclass) = self.classes[class].superclass {
                let cost = self.classes[superclass].costs[own] * body.times;
                if body.cost + cost <= body.limit {
                    body.cost += cost;
                    let send = self.send_to("super", own, body);
                    return format!("({send})");
                }
            }
        }
        if self.send_cost(body, k, 1).is_none() {
            return self.int_leaf(body);
        }
        let receiver = self.receiver(body, depth);
        match self.rng.below(6) {
            0 => {
                let args: Vec<String> = (0..self.arities[k])
                    .map(|_| self.int_expr(body, 1))
                    .collect();
                let symbol = self.symbol_of(k);
                if args.is_empty() {
                    format!("({receiver} perform: {symbol})")
                } else {
                    format!(
                        "({receiver} perform: {symbol} withArguments: (Array new: {} withAll: {}))",
                        args.len(),
                        args[0]
                    )
                }
            }
            1 if self.classes.len() > 1 => {
                let class = self.rng.below(self.classes.len());
                let symbol = self.symbol_of(k);
                let args: Vec<String> = (0..self.arities[k])
                    .map(|_| self.int_expr(body, 1))
                    .collect();
                let array = match args.as_slice() {
                    [] => "#()".to_string(),
                    [a] => format!("(Array with: {a})"),
                    [a, b] => format!("(Array with: {a} with: {b})"),
                    _ => unreachable!("selectors have at most two arguments"),
                };
                let receiver_class = self.classes[class].name.clone();
                let root = self.root_of(class);
                format!(
                    "({receiver_class} new perform: {symbol} withArguments: {array} inSuperclass: {})",
                    self.classes[root].name
                )
            }
            _ => {
                let send = self.send_to(&receiver, k, body);
                format!("({send})")
            }
        }
    }

    fn root_of(&self, class: usize) -> usize {
        let mut class = class;
        while let Some(superclass) = self.classes[class].superclass {
            class = superclass;
        }
        class
    }

    /// An expression answering a helper instance.
    fn receiver(&mut self, body: &mut Body, depth: usize) -> String {
        match self.rng.below(5) {
            0 if body.class.is_some() => "self".to_string(),
            1 if self.var_of(body, Ty::Objs).is_some() => {
                let index = self.int_expr(body, depth.min(1));
                format!("(objs at: ({index}) abs % objs length + 1)")
            }
            2 if self.var_of(body, Ty::Obj).is_some() => {
                self.var_of(body, Ty::Obj).expect("checked by the guard")
            }
            _ => format!(
                "{} new",
                self.classes[self.rng.below(self.classes.len())].name
            ),
        }
    }

    /// `rec:` on some instance: usually shallow, now and then thousands deep.
    fn recursion_expr(&mut self, body: &mut Body) -> String {
        let depth: u64 = if self.rng.chance(5) {
            self.rng.between(2000, 20_000) as u64
        } else {
            self.rng.between(0, 60) as u64
        };
        let cost = depth * 3 * body.times;
        if body.cost + cost > body.limit {
            return self.int_leaf(body);
        }
        body.cost += cost;
        let class = self.rng.below(self.classes.len());
        format!("({} new rec: {depth})", self.classes[class].name)
    }

    /// A block with a `^` evaluated after its method returned: the receiver's
    /// `escapedBlock:` answers (or the program ends with an error).
    fn escape_expr(&mut self, body: &mut Body) -> String {
        let uncaught_too = self.rng.chance(10);
        let candidates: Vec<usize> = (0..self.classes.len())
            .filter(|&c| self.classes[c].catches_escapes || uncaught_too)
            .collect();
        if candidates.is_empty() {
            return self.int_leaf(body);
        }
        let class = *self.rng.pick(&candidates);
        let arg = self.int_leaf(body);
        format!("({} new escaper value: {arg})", self.classes[class].name)
    }

    /// A `^` from a block evaluated in another frame (`apply:`, `do:`), or
    /// from an inlined block, in a block evaluated right away.
    fn nonlocal_expr(&mut self, body: &mut Body, depth: usize) -> String {
        let value = self.int_expr(body, depth);
        let class = self.rng.below(self.classes.len());
        let name = &self.classes[class].name;
        if !body.may_return {
            return format!("({name} new apply: [:v | v + {value} ])");
        }
        match self.rng.below(3) {
            0 => format!("({name} new apply: [:v | v > 50 ifTrue: [ ^ v ]. {value} ])"),
            1 => format!(
                "(#(1 2 3) inject: 0 into: [:a :e | e = 2 ifTrue: [ ^ a + {value} ]. a + e ])"
            ),
            _ => format!("([:v | v isNil ifFalse: [ ^ {value} ]. 0 ] value: 1)"),
        }
    }

    /// A block of `arity` Integer parameters answering an Integer, at times
    /// with a nested block inside.
    fn block(&mut self, body: &mut Body, arity: usize, nested: bool) -> String {
        body.fresh += 1;
        let params: Vec<String> = (0..arity).map(|i| format!("p{}_{i}", body.fresh)).collect();
        let before = body.vars.len();
        for p in &params {
            body.vars.push(Var {
                name: p.clone(),
                ty: Ty::Int,
                assignable: false,
            });
        }
        let saved_return = body.may_return;
        // A block kept in a variable may be evaluated after its method
        // returned; its `^`s are written by escape_expr on purpose only.
        body.may_return = false;
        let saved_callable = body.callable;
        body.callable = 0;
        let inner = if !nested && self.rng.chance(30) {
            let inner_block = self.block(body, 1, true);
            format!("({inner_block} value: {})", self.int_expr(body, 1))
        } else {
            self.int_expr(body, 2)
        };
        body.callable = saved_callable;
        body.may_return = saved_return;
        body.vars.truncate(before);
        let header: String = params.iter().map(|p| format!(":{p} ")).collect();
        if params.is_empty() {
            format!("[ {inner} ]")
        } else {
            format!("[{header}| {inner} ]")
        }
    }

    /// Evaluating a block: a literal one or one in a variable, with
    /// `value...`, `valueWithArguments:`, and blocks of 3 parameters.
    fn block_eval(&mut self, body: &mut Body, depth: usize) -> String {
        let arity = if self.rng.chance(3) {
            3
        } else {
            self.rng.below(3)
        };
        let block = match self.var_of(body, Ty::Blk(arity)) {
            Some(name) if self.rng.chance(60) => name,
            _ => self.block(body, arity, false),
        };
        let args: Vec<String> = (0..arity)
            .map(|_| self.int_expr(body, depth.min(1)))
            .collect();
        if self.rng.chance(3) {
            let array = match args.as_slice() {
                [] => "(Array new: 0)".to_string(),
                [a] => format!("(Array with: {a})"),
                [a, b] => format!("(Array with: {a} with: {b})"),
                [a, b, c] => format!("(Array with: {a} with: {b} with: {c})"),
                _ => unreachable!("blocks have at most three parameters"),
            };
            return format!("({block} valueWithArguments: {array})");
        }
        match args.as_slice() {
            [] => format!("({block} value)"),
            [a] => format!("({block} value: {a})"),
            [a, b] => format!("({block} value: {a} with: {b})"),
            [a, b, c] => format!("({block} value: {a} with: {b} with: {c})"),
            _ => unreachable!("blocks have at most three parameters"),
        }
    }

    fn dbl_expr(&mut self, body: &mut Body, depth: usize) -> String {
        body.cost += body.times;
        if depth == 0 || self.rng.chance(30) {
            return if self.rng.chance(50) {
                self.rng.pick(DOUBLE_LITERALS).to_string()
            } else {
                format!("({} asDouble)", self.int_leaf(body))
            };
        }
        let d = depth - 1;
        match self.rng.below(7) {
            0 | 1 => {
                let op = self.rng.pick(&["+", "-", "*"]);
                format!(
                    "({} {op} {})",
                    self.dbl_expr(body, d),
                    self.dbl_expr(body, d)
                )
            }
            2 => format!(
                "({} // ({} abs + 1.0))",
                self.dbl_expr(body, d),
                self.dbl_expr(body, d)
            ),
            3 => {
                let op = self.rng.pick(&["abs", "negated", "sin", "cos"]);
                format!("({} {op})", self.dbl_expr(body, d))
            }
            4 => format!("({} abs sqrt)", self.dbl_expr(body, d)),
            5 => format!("({} + {})", self.int_expr(body, d), self.dbl_expr(body, d)),
            _ => format!("({} % 7.5)", self.dbl_expr(body, d)),
        }
    }

    fn bool_expr(&mut self, body: &mut Body, depth: usize) -> String {
        body.cost += body.times;
        let d = depth.saturating_sub(1);
        match self.rng.below(if depth == 0 { 2 } else { 9 }) {
            0 => self.rng.pick(&["true", "false"]).to_string(),
            1 => {
                let op = self.rng.pick(&["<", ">", "<=", ">=", "=", "~=", "=="]);
                format!("({} {op} {})", self.int_leaf(body), self.int_leaf(body))
            }
            2 | 3 => {
                let op = self.rng.pick(&["<", ">", "<=", ">=", "=", "<>"]);
                format!(
                    "({} {op} {})",
                    self.int_expr(body, d),
                    self.int_expr(body, d)
                )
            }
            4 => {
                let op = self.rng.pick(&["and:", "or:"]);
                format!(
                    "({} {op} [ {} ])",
                    self.bool_expr(body, d),
                    self.bool_expr(body, d)
                )
            }
            5 => format!("({} not)", self.bool_expr(body, d)),
            6 => format!("({} < {})", self.dbl_expr(body, d), self.dbl_expr(body, d)),
            7 => format!("({} = {})", self.str_expr(body, d), self.str_expr(body, d)),
            _ => {
                let op = self.rng.pick(&["&&", "||"]);
                format!(
                    "({} {op} {})",
                    self.bool_expr(body, d),
                    self.bool_expr(body, d)
                )
            }
        }
    }

    fn str_expr(&mut self, body: &mut Body, depth: usize) -> String {
        body.cost += body.times;
        if depth == 0 || self.rng.chance(35) {
            return self.rng.pick(STRING_LITERALS).to_string();
        }
        let d = depth - 1;
        match self.rng.below(6) {
            0 => format!("({} asString)", self.int_expr(body, d)),
            1 => format!(
                "({} concatenate: {})",
                self.str_expr(body, d),
                self.str_expr(body, d)
            ),
            2 => format!("({} + {})", self.str_expr(body, d), self.str_expr(body, d)),
            3 => format!("({} asString)", self.rng.pick(SYMBOL_LITERALS)),
            4 => {
                let string = self.str_expr(body, d);
                format!("({string} substringFrom: 1 to: ({string} length min: 3))")
            }
            _ => format!("({} asString)", self.dbl_expr(body, d)),
        }
    }
}

/// `| a b c |` at the top of a body, or nothing.
fn declare(locals: &[String], indent: usize) -> String {
    if locals.is_empty() {
        return String::new();
    }
    let mut unique: Vec<&String> = Vec::new();
    for local in locals {
        if !unique.contains(&local) {
            unique.push(local);
        }
    }
    let names: Vec<&str> = unique.iter().map(|s| s.as_str()).collect();
    format!("{}| {} |\n", " ".repeat(indent), names.join(" "))
}
