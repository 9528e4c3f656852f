//! Tests of the heap as the VM uses it: allocate, root, collect, finalize.
//!
//! Tests that count reclaimed objects set no stack base, so only their precise roots count and
//! stale words on the test's stack cannot keep garbage alive.

use std::cell::Cell;
use std::hint::black_box;
use std::mem::size_of;
use std::ptr::NonNull;

use super::*;

thread_local! {
    static FINALIZED: Cell<usize> = const { Cell::new(0) };
}

fn finalized() -> usize {
    FINALIZED.with(Cell::get)
}

/// An object with two references.
#[repr(C)]
struct Node {
    header: GcHeader,
    left: Value,
    right: Value,
}

unsafe fn trace_node(object: NonNull<GcHeader>, tracer: &mut Tracer<'_>) {
    // SAFETY: NODE objects are nodes.
    let node = unsafe { object.cast::<Node>().as_ref() };
    tracer.mark_value(node.left);
    tracer.mark_value(node.right);
}

unsafe fn count_finalization(_: NonNull<GcHeader>) {
    FINALIZED.with(|count| count.set(count.get() + 1));
}

static NODE: TypeInfo = TypeInfo {
    name: "Node",
    trace: trace_node,
    finalize: Some(count_finalization),
};

unsafe fn trace_nothing(_: NonNull<GcHeader>, _: &mut Tracer<'_>) {}

/// Bytes without references or finalizer.
static BLOB: TypeInfo = TypeInfo {
    name: "Blob",
    trace: trace_nothing,
    finalize: None,
};

fn new_node(heap: &mut Heap, left: Value, right: Value) -> Value {
    // SAFETY: a node is `size_of::<Node>()` bytes and a zero node has nil fields.
    let object = unsafe { heap.allocate(size_of::<Node>(), &NODE) }.unwrap();
    // SAFETY: the fresh object is a node nobody else refers to yet.
    let node = unsafe { object.cast::<Node>().as_mut() };
    node.left = left;
    node.right = right;
    Value::from_pointer(object.as_ptr())
}

fn node<'a>(v: Value) -> &'a mut Node {
    // SAFETY: the tests call this only on values they created with `new_node` and keep alive.
    unsafe { &mut *(v.as_pointer().unwrap() as *mut Node) }
}

fn new_blob(heap: &mut Heap, size: usize) -> NonNull<GcHeader> {
    // SAFETY: blobs hold no references and need no finalization.
    unsafe { heap.allocate(size, &BLOB) }.unwrap()
}

fn collect_from(heap: &mut Heap, roots: &[Value]) {
    heap.collect(&mut |tracer| roots.iter().for_each(|&root| tracer.mark_value(root)));
}

fn int(i: i64) -> Value {
    Value::small_int(i).unwrap()
}

#[test]
fn allocations_are_aligned_zeroed_and_typed_also_when_memory_is_reused() {
    let mut heap = Heap::new(GcPolicy::default());
    let sizes = [
        8, 16, 24, 100, 256, 300, 1000, 4097, 8192, 8193, 20_000, 100_000,
    ];
    for round in 0..3 {
        // Reversing the order hands blocks emptied by one size class to another.
        let mut order = sizes;
        if round % 2 == 1 {
            order.reverse();
        }
        for &size in &order {
            for _ in 0..3 {
                let object = new_blob(&mut heap, size);
                assert_eq!(object.as_ptr() as usize % 16, 0, "size {size}");
                // SAFETY: the blob is `size` bytes long.
                let bytes =
                    unsafe { std::slice::from_raw_parts_mut(object.as_ptr().cast::<u8>(), size) };
                let body = &mut bytes[size_of::<GcHeader>()..];
                assert!(body.iter().all(|&b| b == 0), "size {size}, round {round}");
                body.fill(0xAB);
                // SAFETY: the object is allocated.
                assert_eq!(unsafe { object.as_ref() }.type_info().name, "Blob");
            }
        }
        collect_from(&mut heap, &[]);
        assert_eq!(heap.stats().live_bytes, 0);
    }
}

#[test]
fn reachable_cycle_survives_and_unreachable_cycle_is_reclaimed() {
    let mut heap = Heap::new(GcPolicy::default());
    FINALIZED.with(|count| count.set(0));
    let a = new_node(&mut heap, int(1), Value::NIL);
    let b = new_node(&mut heap, int(2), a);
    node(a).right = b;
    let c = new_node(&mut heap, int(3), Value::NIL);
    let d = new_node(&mut heap, int(4), c);
    node(c).right = d;

    collect_from(&mut heap, &[a]);

    assert_eq!(finalized(), 2);
    for (v, i) in [(a, 1), (b, 2)] {
        assert!(heap.find_object(v.bits() as usize).is_some());
        assert_eq!(node(v).left, int(i));
    }
    assert_eq!((node(a).right, node(b).right), (b, a));
    assert!(heap.find_object(c.bits() as usize).is_none());
    assert!(heap.find_object(d.bits() as usize).is_none());
    assert_eq!(heap.stats().live_bytes, 2 * 32);
    assert_eq!(heap.stats().collections, 1);

    collect_from(&mut heap, &[]);
    assert_eq!(finalized(), 4);
}

#[test]
fn find_object_accepts_interior_pointers_into_allocated_objects_only() {
    let mut heap = Heap::new(GcPolicy::default());
    let small = new_node(&mut heap, Value::NIL, Value::NIL).bits() as usize;
    let large = new_blob(&mut heap, 100_000).as_ptr() as usize;
    let garbage = new_node(&mut heap, Value::NIL, Value::NIL).bits() as usize;
    for addr in [small, small + 8, small + 23, small + 31] {
        assert_eq!(
            heap.find_object(addr).map(|o| o.as_ptr() as usize),
            Some(small)
        );
    }
    for addr in [large, large + 8, large + 50_000, large + 99_999] {
        assert_eq!(
            heap.find_object(addr).map(|o| o.as_ptr() as usize),
            Some(large)
        );
    }
    assert!(heap.find_object(large + 100_000).is_none());
    assert!(heap.find_object(small + 64).is_none(), "never-used cell");
    assert!(heap.find_object(0x1000).is_none());
    let local = 0u64;
    assert!(heap.find_object(&local as *const u64 as usize).is_none());

    heap.collect(&mut |tracer| {
        tracer.mark_value(Value::from_pointer(small as *const GcHeader));
        tracer.mark_value(Value::from_pointer(large as *const GcHeader));
    });
    assert!(heap.find_object(garbage + 8).is_none(), "freed cell");
    assert!(heap.find_object(small + 8).is_some());
    assert!(heap.find_object(large + 8).is_some());
}

/// Runs `body` in a frame below a local whose address is the heap's stack base.
#[inline(never)]
fn with_stack_base(heap: &mut Heap, body: impl FnOnce(&mut Heap)) {
    let base = 0usize;
    heap.set_stack_base(black_box(&base) as *const usize as usize);
    run_below(heap, body);
}

#[inline(never)]
fn run_below(heap: &mut Heap, body: impl FnOnce(&mut Heap)) {
    body(heap);
}

#[inline(never)]
fn make_garbage(heap: &mut Heap, count: usize) {
    for i in 0..count {
        new_node(heap, int(i as i64), Value::NIL);
    }
}

#[test]
fn objects_held_only_by_stack_locals_survive() {
    let mut heap = Heap::new(GcPolicy::default());
    with_stack_base(&mut heap, |heap| {
        FINALIZED.with(|count| count.set(0));
        let kept = new_node(heap, int(7), Value::NIL);
        let kept_child = new_node(heap, int(8), Value::NIL);
        node(kept).right = kept_child;
        let pointee = new_node(heap, int(9), Value::NIL);
        // Only a pointer to the middle of `pointee` is kept.
        let interior = black_box(pointee.bits() as usize + 16);
        make_garbage(heap, 1000);

        heap.collect(&mut |_| {});

        let kept = black_box(kept);
        let interior = black_box(interior);
        assert!(finalized() >= 900, "only {} of 1000 reclaimed", finalized());
        assert!(heap.find_object(kept.bits() as usize).is_some());
        assert_eq!(node(kept).left, int(7));
        let child = node(kept).right;
        assert!(heap.find_object(child.bits() as usize).is_some());
        assert_eq!(node(child).left, int(8));
        let pointee = heap
            .find_object(interior)
            .expect("interior pointer keeps its object");
        assert_eq!(node(Value::from_pointer(pointee.as_ptr())).left, int(9));
    });
}

#[test]
fn a_million_node_list_marks_without_recursion() {
    let mut heap = Heap::new(GcPolicy::default());
    FINALIZED.with(|count| count.set(0));
    let mut head = Value::NIL;
    for i in 0..1_000_000 {
        head = new_node(&mut heap, int(i), head);
    }
    collect_from(&mut heap, &[head]);
    assert_eq!(finalized(), 0);
    assert_eq!(heap.stats().live_bytes, 1_000_000 * 32);
    collect_from(&mut heap, &[]);
    assert_eq!(finalized(), 1_000_000);
    assert_eq!(heap.stats().live_bytes, 0);
}

#[test]
fn a_gigabyte_of_short_lived_garbage_runs_in_bounded_memory() {
    const RECENT: usize = 256;
    let mut heap = Heap::new(GcPolicy::default());
    let mut recent = [Value::NIL; RECENT];
    let mut last_blob = Value::NIL;
    let mut peak_heap_bytes = 0;
    let mut i = 0;
    while heap.stats().bytes_allocated < 1 << 30 {
        if heap.collection_due() {
            collect_from(&mut heap, &recent);
            peak_heap_bytes = peak_heap_bytes.max(heap.stats().heap_bytes);
        }
        let size = match i % 8 {
            0 => 20_000,
            1 | 2 => 3000,
            3 | 4 => 240,
            _ => 24,
        };
        let object = if size == 24 {
            new_node(&mut heap, int(i), last_blob)
        } else {
            last_blob = Value::from_pointer(new_blob(&mut heap, size).as_ptr());
            last_blob
        };
        recent[i as usize % RECENT] = object;
        i += 1;
    }
    let stats = heap.stats();
    assert!(stats.collections >= 100, "{stats:?}");
    assert!(
        peak_heap_bytes <= 32 << 20,
        "peak {peak_heap_bytes}, {stats:?}"
    );
    assert!(stats.live_bytes <= 2 << 20, "{stats:?}");
}

#[test]
fn stress_mode_collects_every_n_allocations() {
    let mut heap = Heap::new(GcPolicy {
        stress_interval: Some(7),
        ..GcPolicy::default()
    });
    let mut root = Value::NIL;
    for _ in 0..700 {
        assert!(!heap.collection_due());
        root = new_node(&mut heap, root, Value::NIL);
        if heap.collection_due() {
            collect_from(&mut heap, &[root]);
        }
    }
    assert_eq!(heap.stats().collections, 100);
    assert_eq!(heap.stats().live_bytes, 700 * 32);
}

#[test]
fn collection_is_due_after_the_threshold_grown_from_live_bytes() {
    let mut heap = Heap::new(GcPolicy {
        min_threshold_bytes: 1 << 20,
        ..GcPolicy::default()
    });
    let mut kept = Vec::new();
    while !heap.collection_due() {
        kept.push(Value::from_pointer(new_blob(&mut heap, 4096).as_ptr()));
    }
    assert_eq!(
        heap.stats().bytes_allocated_since_collection,
        (1 << 20) + 4096
    );
    collect_from(&mut heap, &kept);
    assert_eq!(heap.stats().live_bytes, (1 << 20) + 4096);
    assert_eq!(
        heap.policy().threshold_bytes(heap.stats().live_bytes),
        (2 << 20) + 8192
    );
    for _ in 0..512 {
        new_blob(&mut heap, 4096);
    }
    assert!(!heap.collection_due());
}

#[test]
fn exceeding_the_heap_limit_is_out_of_memory_until_garbage_is_collected() {
    let mut heap = Heap::new(GcPolicy {
        max_heap_bytes: 1 << 20,
        ..GcPolicy::default()
    });
    // SAFETY: blobs need no initialisation.
    let too_big = unsafe { heap.allocate(2 << 20, &BLOB) };
    let error = too_big.expect_err("larger than the heap");
    assert_eq!(
        error.to_string(),
        "out of memory: heap limit of 1 MiB exceeded"
    );

    let mut count = 0;
    // SAFETY: as above.
    while unsafe { heap.allocate(32, &BLOB) }.is_ok() {
        count += 1;
    }
    assert_eq!(count, (1 << 20) / 32);
    assert_eq!(heap.stats().heap_bytes, 1 << 20);

    collect_from(&mut heap, &[]);
    new_blob(&mut heap, 32);
    assert_eq!(heap.stats().heap_bytes, 1 << 20);
}

/// A blob of `size` bytes standing for an object that owns `external_bytes` outside the heap
/// (it owns nothing really: the heap's account is what is tested).
fn new_owner(heap: &mut Heap, size: usize, external_bytes: usize) -> Result<Value, OutOfMemory> {
    // SAFETY: blobs need no initialisation and own no memory to free.
    let object = unsafe { heap.allocate_owning(size, external_bytes, &BLOB) }?;
    Ok(Value::from_pointer(object.as_ptr()))
}

#[test]
fn external_memory_counts_as_heap_memory_until_its_owner_is_collected() {
    let mut heap = Heap::new(GcPolicy {
        min_threshold_bytes: 1 << 20,
        max_heap_bytes: 4 << 20,
        ..GcPolicy::default()
    });
    let kept = new_owner(&mut heap, 32, 1 << 20).unwrap();
    assert_eq!(
        heap.stats().bytes_allocated_since_collection,
        32 + (1 << 20)
    );
    assert!(heap.collection_due());
    new_owner(&mut heap, 32, 2 << 20).unwrap();
    assert_eq!(heap.stats().heap_bytes, BLOCK_SIZE + (3 << 20));

    let error = new_owner(&mut heap, 32, 1 << 20).expect_err("beyond the limit");
    assert_eq!(error.max_heap_bytes, 4 << 20);
    // External memory that fits, but whose owner does not, is not counted either.
    let room = (4 << 20) - heap.stats().heap_bytes;
    new_owner(&mut heap, 20_000, room - 100).expect_err("no room for the owner");
    assert_eq!(heap.stats().heap_bytes, BLOCK_SIZE + (3 << 20));

    collect_from(&mut heap, &[kept]);
    assert_eq!(heap.stats().live_bytes, 32 + (1 << 20));
    assert_eq!(heap.stats().heap_bytes, BLOCK_SIZE + (1 << 20));
    new_owner(&mut heap, 32, 2 << 20).expect("room again after the collection");
}

#[test]
fn dropping_the_heap_finalizes_every_object() {
    FINALIZED.with(|count| count.set(0));
    let mut heap = Heap::new(GcPolicy::default());
    for _ in 0..10 {
        new_node(&mut heap, Value::NIL, Value::NIL);
    }
    // SAFETY: a 20 000-byte node is a node with trailing bytes.
    unsafe { heap.allocate(20_000, &NODE) }.unwrap();
    drop(heap);
    assert_eq!(finalized(), 11);
}

#[test]
fn a_new_policy_takes_effect_at_once() {
    let mut heap = Heap::new(GcPolicy::default());
    new_blob(&mut heap, 4096);
    assert!(!heap.collection_due());
    heap.set_policy(GcPolicy {
        min_threshold_bytes: 1024,
        ..GcPolicy::default()
    });
    assert!(heap.collection_due());
}

#[test]
fn weak_references_see_which_objects_survive() {
    let mut heap = Heap::new(GcPolicy::default());
    let kept = Value::from_pointer(new_blob(&mut heap, 64).as_ptr());
    let dropped = Value::from_pointer(new_blob(&mut heap, 64).as_ptr());
    let mut seen = Vec::new();
    heap.collect_with_weak(&mut |tracer| tracer.mark_value(kept), &mut |survives| {
        seen = vec![survives(kept), survives(dropped), survives(int(7))]
    });
    assert_eq!(seen, [true, false, true]);
}

#[test]
fn a_threshold_set_from_outside_replaces_the_native_rule_until_given_back() {
    let mut heap = Heap::new(GcPolicy::default());
    heap.set_threshold(Some(10_000));
    while !heap.collection_due() {
        new_blob(&mut heap, 1000);
    }
    assert_eq!(heap.stats().bytes_allocated_since_collection, 10 * 1024);
    collect_from(&mut heap, &[]);
    assert_eq!(
        heap.threshold_in_force(),
        10_000,
        "kept for later collections"
    );
    heap.set_threshold(None);
    assert_eq!(heap.threshold_in_force(), 8 << 20);
    new_blob(&mut heap, 20_000);
    assert!(!heap.collection_due());
}

#[test]
fn a_postponed_collection_is_due_again_after_another_threshold() {
    let mut heap = Heap::new(GcPolicy::default());
    heap.set_threshold(Some(4096));
    new_blob(&mut heap, 8192);
    assert!(heap.allocation_budget_exhausted());
    heap.postpone_collection();
    assert!(!heap.collection_due());
    new_blob(&mut heap, 4096);
    assert!(!heap.collection_due(), "8192 + 4096 allocated, not beyond");
    new_blob(&mut heap, 16);
    assert!(heap.allocation_budget_exhausted());
}

#[test]
fn stress_and_budget_are_told_apart() {
    let mut heap = Heap::new(GcPolicy {
        stress_interval: Some(2),
        ..GcPolicy::default()
    });
    new_blob(&mut heap, 16);
    new_blob(&mut heap, 16);
    assert!(heap.stress_due() && heap.collection_due());
    assert!(!heap.allocation_budget_exhausted());
}

#[test]
fn objects_allocated_after_marking_the_preexisting_ones_are_told_apart() {
    let mut heap = Heap::new(GcPolicy::default());
    let old = new_blob(&mut heap, 64);
    let old_large = new_blob(&mut heap, 100_000);
    heap.mark_preexisting(true);
    let young = new_blob(&mut heap, 64);
    let young_large = new_blob(&mut heap, 100_000);
    let roots: Vec<Value> = [old, old_large, young, young_large]
        .iter()
        .map(|o| Value::from_pointer(o.as_ptr()))
        .collect();
    collect_from(&mut heap, &roots);
    let mut seen = Vec::new();
    heap.for_each_object(&mut |object| {
        // SAFETY: visited objects are allocated.
        seen.push((object, unsafe { object.as_ref() }.is_preexisting()));
    });
    seen.sort_by_key(|(object, _)| object.as_ptr() as usize);
    let mut expected = vec![
        (old, true),
        (old_large, true),
        (young, false),
        (young_large, false),
    ];
    expected.sort_by_key(|(object, _)| object.as_ptr() as usize);
    assert_eq!(seen, expected);
    // SAFETY: allocated and kept.
    assert_eq!(unsafe { old.as_ref() }.type_info().name, "Blob");
    heap.mark_preexisting(false);
    // SAFETY: as above.
    assert!(!unsafe { old_large.as_ref() }.is_preexisting());
}

#[test]
fn the_longest_pause_is_recorded() {
    let mut heap = Heap::new(GcPolicy::default());
    collect_from(&mut heap, &[]);
    collect_from(&mut heap, &[]);
    let stats = heap.stats();
    assert!(stats.longest_pause <= stats.total_time);
    assert!(stats.longest_pause * 2 >= stats.total_time);
}
