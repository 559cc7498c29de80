// SPDX-License-Identifier: MIT
//
// The workloads of bench/workloads.h over bumpalo, bit for bit: the same
// xorshift32 generator and seed, the same counts and rounds, the same
// size/alignment derivations and the same first/last-byte touch. Each
// exported function runs one full repetition of its workload in Rust (no
// call across the FFI boundary per allocation) and returns the repetition's
// checksum: the wrapping u32 sum of bench_touch() over every allocation,
// with i the allocation's index within its round.
//
// As for the other peers in bench/: small, mixed and burst use one arena
// whose block holds a round (BENCH_ROUND_BYTES), created once - here on the
// first call, per thread - reset after each round and kept between
// repetitions; growth creates an arena with a GROWTH_FIRST_BLOCK-byte first
// chunk per round and drops it at the round's end.

#![deny(unsafe_op_in_unsafe_fn)]

use bumpalo::Bump;
use core::alloc::Layout;
use std::cell::RefCell;

// Keep in step with bench/workloads.h.
const BENCH_SEED: u32 = 0x9e37_79b9;
const COUNT_SMALL: u32 = 4096;
const ROUNDS_SMALL: u32 = 256;
const COUNT_MIXED: u32 = 2048;
const ROUNDS_MIXED: u32 = 256;
const BURST_SIZE: u32 = 64;
const BURSTS: u32 = 16384;
const GROWTH_FIRST_BLOCK: usize = 256;
const ROUNDS_GROWTH: u32 = 128;
const BENCH_ROUND_BYTES: usize = COUNT_MIXED as usize * (512 + 63);

thread_local! {
    /// The arena of small, mixed and burst: one chunk that holds a round.
    static FIXED: RefCell<Bump> = RefCell::new(Bump::with_capacity(BENCH_ROUND_BYTES));
}

#[inline(always)]
fn bench_next(state: &mut u32) -> u32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x
}

/// 8..64 bytes (small, burst, growth).
#[inline(always)]
fn bench_small_size(state: &mut u32) -> usize {
    8 + (bench_next(state) % 57) as usize
}

/// 1..512 bytes and 1..64 alignment (mixed); one draw for both.
#[inline(always)]
fn bench_mixed_request(state: &mut u32) -> (usize, usize) {
    let x = bench_next(state);
    (1 + (x % 512) as usize, 1usize << ((x >> 16) % 7))
}

/// Writes the first and last byte of an allocation and adds them up (the
/// two are the same byte when size is 1, as in C).
#[inline(always)]
fn bench_touch(p: *mut u8, size: usize, i: u32) -> u32 {
    // SAFETY: p points to at least size >= 1 writable bytes just allocated.
    unsafe {
        let last = p.add(size - 1);
        p.write(i as u8);
        last.write((i >> 3) as u8);
        u32::from(p.read()).wrapping_add(u32::from(last.read()))
    }
}

#[inline(always)]
fn alloc_touch(bump: &Bump, size: usize, align: usize, i: u32) -> u32 {
    let layout = match Layout::from_size_align(size, align) {
        Ok(layout) => layout,
        Err(_) => std::process::abort(),
    };
    bench_touch(bump.alloc_layout(layout).as_ptr(), size, i)
}

/// small: ROUNDS_SMALL rounds of COUNT_SMALL allocations of 8..64 bytes,
/// alignment 8, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_small() -> u32 {
    let mut state = BENCH_SEED;
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..ROUNDS_SMALL {
            for i in 0..COUNT_SMALL {
                let size = bench_small_size(&mut state);
                sum = sum.wrapping_add(alloc_touch(bump, size, 8, i));
            }
            bump.reset();
        }
    });
    sum
}

/// mixed: ROUNDS_MIXED rounds of COUNT_MIXED allocations of 1..512 bytes,
/// alignment 1..64, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_mixed() -> u32 {
    let mut state = BENCH_SEED;
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..ROUNDS_MIXED {
            for i in 0..COUNT_MIXED {
                let (size, align) = bench_mixed_request(&mut state);
                sum = sum.wrapping_add(alloc_touch(bump, size, align, i));
            }
            bump.reset();
        }
    });
    sum
}

/// burst: BURSTS bursts of BURST_SIZE allocations of 8..64 bytes,
/// alignment 8, each followed by a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_burst() -> u32 {
    let mut state = BENCH_SEED;
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..BURSTS {
            for i in 0..BURST_SIZE {
                let size = bench_small_size(&mut state);
                sum = sum.wrapping_add(alloc_touch(bump, size, 8, i));
            }
            bump.reset();
        }
    });
    sum
}

/// growth: ROUNDS_GROWTH rounds of creating an arena with a
/// GROWTH_FIRST_BLOCK-byte first block, COUNT_SMALL allocations of 8..64
/// bytes, alignment 8, and destroying it.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_growth() -> u32 {
    let mut state = BENCH_SEED;
    let mut sum = 0u32;
    for _ in 0..ROUNDS_GROWTH {
        let bump = Bump::with_capacity(GROWTH_FIRST_BLOCK);
        for i in 0..COUNT_SMALL {
            let size = bench_small_size(&mut state);
            sum = sum.wrapping_add(alloc_touch(&bump, size, 8, i));
        }
        drop(bump);
    }
    sum
}
