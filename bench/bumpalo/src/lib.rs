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
// Each takes the C side's tables (struct bench_tables in bench/bench.h):
// for small, mixed, burst and growth, NULL means the generated mode (the
// requests drawn here) and the tables the table mode (the same requests
// read from C's arrays, so the alignment is a runtime value); strbuild and
// strdup read their strings from them always.
//
// As for the other peers in bench/: small, mixed, burst, strbuild and
// strdup use one arena whose block holds a round (BENCH_ROUND_BYTES),
// created once - here on the first call, per thread - reset after each
// round and kept between repetitions; growth creates an arena with a
// GROWTH_FIRST_BLOCK-byte first chunk per round and drops it at the
// round's end. strbuild builds each string in a
// bumpalo::collections::String with push_str() and keeps it with
// into_bump_str(); strdup is alloc_str() of each C string (its length
// found by CStr, as every C peer's strdup finds it). bumpalo 3.12 has no
// checkpoints, so there is no rewind.

#![deny(unsafe_op_in_unsafe_fn)]

use bumpalo::collections::String as BumpString;
use bumpalo::Bump;
use core::alloc::Layout;
use std::cell::RefCell;
use std::ffi::CStr;
use std::os::raw::c_char;

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
const STRBUILD_STRINGS: usize = 1024;
const STRBUILD_ROUNDS: u32 = 32;
const STRDUP_COUNT: usize = 4096;
const STRDUP_ROUNDS: u32 = 256;
const BENCH_ROUND_BYTES: usize = COUNT_MIXED as usize * (512 + 63);

// Keep in step with bench/bench.h.
#[repr(C)]
pub struct Request {
    size: usize,
    align: usize,
}

#[repr(C)]
pub struct Piece {
    text: *const u8,
    len: usize,
}

#[repr(C)]
pub struct StringIn {
    s: *const c_char,
    len: usize,
}

#[repr(C)]
pub struct Tables {
    small: *const Request,
    mixed: *const Request,
    string_pieces: *const u32,
    pieces: *const Piece,
    npieces: usize,
    strings: *const StringIn,
}

thread_local! {
    /// The arena of small, mixed, burst, strbuild and strdup: one chunk
    /// that holds a round.
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

/// Where the requests come from: drawn here, or read from a C table.
trait Source {
    fn request(&mut self) -> (usize, usize);
}

/// 8..64 bytes, alignment 8 (small, burst, growth).
struct SmallSizes(u32);

impl Source for SmallSizes {
    #[inline(always)]
    fn request(&mut self) -> (usize, usize) {
        (8 + (bench_next(&mut self.0) % 57) as usize, 8)
    }
}

/// 1..512 bytes and 1..64 alignment (mixed); one draw for both.
struct MixedSizes(u32);

impl Source for MixedSizes {
    #[inline(always)]
    fn request(&mut self) -> (usize, usize) {
        let x = bench_next(&mut self.0);
        (1 + (x % 512) as usize, 1usize << ((x >> 16) % 7))
    }
}

/// The table mode: the next request of a C table that holds the whole
/// repetition's.
struct Table(*const Request);

impl Source for Table {
    #[inline(always)]
    fn request(&mut self) -> (usize, usize) {
        // SAFETY: the C table holds a request for every allocation of the
        // repetition (BENCH_SMALL_REQUESTS, BENCH_MIXED_REQUESTS).
        unsafe {
            let r = &*self.0;
            self.0 = self.0.add(1);
            (r.size, r.align)
        }
    }
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

/// bench_string_sum(): first and last byte, and the length.
#[inline(always)]
fn string_sum(s: &[u8]) -> u32 {
    u32::from(s[0])
        .wrapping_add(u32::from(s[s.len() - 1]))
        .wrapping_add(s.len() as u32)
}

#[inline(always)]
fn alloc_touch(bump: &Bump, (size, align): (usize, usize), i: u32) -> u32 {
    let layout = match Layout::from_size_align(size, align) {
        Ok(layout) => layout,
        Err(_) => std::process::abort(),
    };
    bench_touch(bump.alloc_layout(layout).as_ptr(), size, i)
}

/// rounds x count allocations from src on the fixed arena, reset after
/// each round.
#[inline(always)]
fn run_fixed<S: Source>(mut src: S, rounds: u32, count: u32) -> u32 {
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..rounds {
            for i in 0..count {
                sum = sum.wrapping_add(alloc_touch(bump, src.request(), i));
            }
            bump.reset();
        }
    });
    sum
}

/// growth: ROUNDS_GROWTH rounds of creating an arena with a
/// GROWTH_FIRST_BLOCK-byte first block, COUNT_SMALL allocations, and
/// destroying it.
#[inline(always)]
fn run_growth<S: Source>(mut src: S) -> u32 {
    let mut sum = 0u32;
    for _ in 0..ROUNDS_GROWTH {
        let bump = Bump::with_capacity(GROWTH_FIRST_BLOCK);
        for i in 0..COUNT_SMALL {
            sum = sum.wrapping_add(alloc_touch(&bump, src.request(), i));
        }
        drop(bump);
    }
    sum
}

/// The tables, or None for the generated mode.
fn tables<'a>(t: *const Tables) -> Option<&'a Tables> {
    // SAFETY: NULL or bench.c's bench_tables, filled before any run.
    unsafe { t.as_ref() }
}

/// small: ROUNDS_SMALL rounds of COUNT_SMALL allocations of 8..64 bytes,
/// alignment 8, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_small(t: *const Tables) -> u32 {
    match tables(t) {
        Some(t) => run_fixed(Table(t.small), ROUNDS_SMALL, COUNT_SMALL),
        None => run_fixed(SmallSizes(BENCH_SEED), ROUNDS_SMALL, COUNT_SMALL),
    }
}

/// mixed: ROUNDS_MIXED rounds of COUNT_MIXED allocations of 1..512 bytes,
/// alignment 1..64, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_mixed(t: *const Tables) -> u32 {
    match tables(t) {
        Some(t) => run_fixed(Table(t.mixed), ROUNDS_MIXED, COUNT_MIXED),
        None => run_fixed(MixedSizes(BENCH_SEED), ROUNDS_MIXED, COUNT_MIXED),
    }
}

/// burst: BURSTS bursts of BURST_SIZE allocations of 8..64 bytes,
/// alignment 8, each followed by a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_burst(t: *const Tables) -> u32 {
    match tables(t) {
        Some(t) => run_fixed(Table(t.small), BURSTS, BURST_SIZE),
        None => run_fixed(SmallSizes(BENCH_SEED), BURSTS, BURST_SIZE),
    }
}

/// growth (see run_growth).
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_growth(t: *const Tables) -> u32 {
    match tables(t) {
        Some(t) => run_growth(Table(t.small)),
        None => run_growth(SmallSizes(BENCH_SEED)),
    }
}

/// strbuild: STRBUILD_ROUNDS rounds of building the STRBUILD_STRINGS
/// strings of the tables piece by piece, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_strbuild(t: *const Tables) -> u32 {
    let t = match tables(t) {
        Some(t) => t,
        None => std::process::abort(),
    };
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..STRBUILD_ROUNDS {
            let mut piece = t.pieces;
            for i in 0..STRBUILD_STRINGS {
                let mut s = BumpString::new_in(bump);
                // SAFETY: the tables hold STRBUILD_STRINGS counts and as
                // many pieces as they add up to, each len printable bytes.
                unsafe {
                    for _ in 0..*t.string_pieces.add(i) {
                        let p = &*piece;
                        let bytes = std::slice::from_raw_parts(p.text, p.len);
                        s.push_str(std::str::from_utf8_unchecked(bytes));
                        piece = piece.add(1);
                    }
                }
                sum = sum.wrapping_add(string_sum(s.into_bump_str().as_bytes()));
            }
            bump.reset();
        }
    });
    sum
}

/// strdup: STRDUP_ROUNDS rounds of copying the STRDUP_COUNT strings of the
/// tables' pool, then a reset.
#[no_mangle]
#[inline(never)]
pub extern "C" fn bench_bumpalo_strdup(t: *const Tables) -> u32 {
    let t = match tables(t) {
        Some(t) => t,
        None => std::process::abort(),
    };
    let mut sum = 0u32;
    FIXED.with(|fixed| {
        let bump = &mut *fixed.borrow_mut();
        for _ in 0..STRDUP_ROUNDS {
            for i in 0..STRDUP_COUNT {
                // SAFETY: the pool holds STRDUP_COUNT NUL-terminated
                // strings of printable bytes.
                let copy = unsafe {
                    let bytes = CStr::from_ptr((*t.strings.add(i)).s).to_bytes();
                    bump.alloc_str(std::str::from_utf8_unchecked(bytes))
                };
                sum = sum.wrapping_add(string_sum(copy.as_bytes()));
            }
            bump.reset();
        }
    });
    sum
}
