//! The syntax tree of one SOM class definition, as written: no name resolution, no inlining.
//! The interpreter's compiler turns it into executable nodes.

/// A position in a source file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// `Name = Super ( | fields | methods ---- | classFields | classMethods )`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub name: String,
    /// `None` when omitted (meaning `Object`); `Some("nil")` for a root class.
    pub superclass: Option<String>,
    pub instance_fields: Vec<String>,
    pub instance_methods: Vec<MethodDef>,
    pub class_fields: Vec<String>,
    pub class_methods: Vec<MethodDef>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MethodDef {
    /// The full selector: `foo`, `+`, `at:put:`.
    pub selector: String,
    pub params: Vec<String>,
    pub body: MethodBody,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MethodBody {
    Primitive,
    Code(Body),
}

/// Locals plus statements: a method body or a block body.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    pub locals: Vec<String>,
    pub statements: Vec<Expr>,
    /// Position of the closing `)` or `]`, where an implicit return happens.
    pub end: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub params: Vec<String>,
    pub body: Body,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Integer(i64),
    /// Decimal digits (possibly with a leading `-`) of an integer literal that does not fit in i64.
    BigInteger(String),
    Double(f64),
    String(String),
    Symbol(String),
    Array(Vec<Literal>),
    /// `true`, `false` or `nil` written inside a literal array.
    Nil,
    True,
    False,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A name: `self`, `super`, `nil`, `true`, `false`, a variable, a field or a global.
    Variable {
        name: String,
        pos: Pos,
    },
    /// `name := value`.
    Assign {
        name: String,
        value: Box<Expr>,
        pos: Pos,
    },
    /// A message send; `receiver` is `Variable { name: "super" }` for super sends.
    Send {
        receiver: Box<Expr>,
        selector: String,
        args: Vec<Expr>,
        pos: Pos,
    },
    Literal {
        value: Literal,
        pos: Pos,
    },
    Block(Box<Block>),
    /// `^ value`.
    Return {
        value: Box<Expr>,
        pos: Pos,
    },
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Variable { pos, .. }
            | Expr::Assign { pos, .. }
            | Expr::Send { pos, .. }
            | Expr::Literal { pos, .. }
            | Expr::Return { pos, .. } => *pos,
            Expr::Block(b) => b.pos,
        }
    }

    /// Whether the name occurs anywhere in this expression, as a use, an assignment or a
    /// declaration of a block.
    pub fn mentions(&self, name: &str) -> bool {
        match self {
            Expr::Variable { name: n, .. } => n == name,
            Expr::Assign { name: n, value, .. } => n == name || value.mentions(name),
            Expr::Send { receiver, args, .. } => {
                receiver.mentions(name) || args.iter().any(|a| a.mentions(name))
            }
            Expr::Literal { .. } => false,
            Expr::Block(block) => {
                block.params.iter().any(|p| p == name)
                    || block.body.locals.iter().any(|l| l == name)
                    || block.body.statements.iter().any(|s| s.mentions(name))
            }
            Expr::Return { value, .. } => value.mentions(name),
        }
    }
}
