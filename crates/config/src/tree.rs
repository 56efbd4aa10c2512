//! The effective tree of one configuration: includes spliced in, conditions decided, every
//! block with its parent and the plain directives in it. nginx, Apache and PHP-FPM files
//! all become this shape, so the questions are asked the same way.

use crate::place::Place;

/// Index of a [`Block`] in a [`Tree`]. The main context is [`BlockId::MAIN`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub(crate) usize);

impl BlockId {
    /// The main context (nginx's top level, Apache's main server, PHP-FPM's `[global]`).
    pub const MAIN: BlockId = BlockId(0);
}

/// A block of the effective configuration: an nginx `http`/`server`/`location`/`upstream`,
/// an Apache section (`VirtualHost`, `Location`, `Proxy`, ...), a PHP-FPM pool, or the
/// main context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The block's directive as written (`location`, `VirtualHost`), or `main`; a PHP-FPM
    /// pool is `pool`.
    pub name: String,
    /// Its arguments (`~ \.php$`; `*:80`; the pool's name).
    pub args: Vec<String>,
    /// Where it opens (the main context: line 1 of the main file).
    pub place: Place,
    /// The block it is in (`None` for the main context).
    pub parent: Option<BlockId>,
    /// The plain directives directly in it, in order, includes spliced in.
    pub settings: Vec<Setting>,
    /// The blocks directly in it, in order.
    pub children: Vec<BlockId>,
}

/// One plain directive of the effective configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The directive (nginx: `proxy_read_timeout`; Apache: `ProxyPass`; PHP-FPM: the key,
    /// `pm.max_children`, `php_admin_value[max_execution_time]`).
    pub name: String,
    /// Its arguments (PHP-FPM: one, the value).
    pub args: Vec<String>,
    /// Where it is.
    pub place: Place,
}

impl Setting {
    /// The arguments joined by spaces, as a value to show.
    pub fn value(&self) -> String {
        self.args.join(" ")
    }
}

/// The blocks of one configuration, [`BlockId::MAIN`] first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    blocks: Vec<Block>,
}

impl Tree {
    pub(crate) fn new(main: Place) -> Tree {
        Tree {
            blocks: vec![Block {
                name: "main".into(),
                args: Vec::new(),
                place: main,
                parent: None,
                settings: Vec::new(),
                children: Vec::new(),
            }],
        }
    }

    pub(crate) fn open(
        &mut self,
        parent: BlockId,
        name: &str,
        args: &[String],
        place: Place,
    ) -> BlockId {
        let id = BlockId(self.blocks.len());
        self.blocks.push(Block {
            name: name.to_string(),
            args: args.to_vec(),
            place,
            parent: Some(parent),
            settings: Vec::new(),
            children: Vec::new(),
        });
        if let Some(p) = self.blocks.get_mut(parent.0) {
            p.children.push(id);
        }
        id
    }

    pub(crate) fn set(&mut self, block: BlockId, setting: Setting) {
        if let Some(b) = self.blocks.get_mut(block.0) {
            b.settings.push(setting);
        }
    }

    /// Every block, the main context first, then in the order they open.
    pub fn blocks(&self) -> impl Iterator<Item = (BlockId, &Block)> {
        self.blocks.iter().enumerate().map(|(i, b)| (BlockId(i), b))
    }

    /// One block. Every [`BlockId`] this tree handed out is valid; others give the main
    /// context.
    pub fn block(&self, id: BlockId) -> &Block {
        match self.blocks.get(id.0) {
            Some(b) => b,
            // Never empty: `new` makes the main block.
            None => &self.blocks[0],
        }
    }

    /// The chain from a block out to the main context, the block itself first.
    pub fn ancestry(&self, id: BlockId) -> impl Iterator<Item = BlockId> + '_ {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let current = next?;
            next = self.blocks.get(current.0).and_then(|b| b.parent);
            Some(current)
        })
    }

    /// The nearest enclosing block (the block itself included) with this name.
    pub fn enclosing(&self, id: BlockId, name: &str) -> Option<BlockId> {
        self.ancestry(id)
            .find(|b| self.block(*b).name.eq_ignore_ascii_case(name))
    }

    /// The last setting of a directive directly in a block (names compared as the server
    /// does: `case_insensitive` for Apache and PHP-FPM).
    pub fn last(&self, id: BlockId, name: &str, case_insensitive: bool) -> Option<&Setting> {
        self.block(id).settings.iter().rev().find(|s| {
            if case_insensitive {
                s.name.eq_ignore_ascii_case(name)
            } else {
                s.name == name
            }
        })
    }

    /// Every setting of a directive directly in a block, in order.
    pub fn all<'t>(
        &'t self,
        id: BlockId,
        name: &'t str,
        case_insensitive: bool,
    ) -> impl Iterator<Item = &'t Setting> + 't {
        self.block(id).settings.iter().filter(move |s| {
            if case_insensitive {
                s.name.eq_ignore_ascii_case(name)
            } else {
                s.name == name
            }
        })
    }

    /// How many blocks there are (the main context included).
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Never true: a tree always has its main context.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}
