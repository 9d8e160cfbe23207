;; Jaro–Winkler of strings of 1–256 UTF-16 code units in WebAssembly: the bit-parallel algorithm of
;; jaroWinklerCodes in jaro-winkler.ts (read its comments first) on 64-bit masks, with the same result to the bit.
;; Why WebAssembly: the JavaScript walk costs about 50 instructions per character (bounds and map checks, register
;; spills around a 4-instruction dependency chain); here it is about a dozen, and the code is fast from the first
;; call (no JIT warm-up).
;; Both strings ≤ 64 units (names, codes, most addresses): one 64-bit word of positions per character, the window
;; and the free positions in registers. Longer (≤ 256): the same walk over four words per character ($longJaro).
;; The loops that call it for whole rows and batches of rows live here too (scoreRow, matchBatch; see
;; row-scorer.ts): calls within a module are cheap, calls from JavaScript are not.
;;
;; The memory is shared with the index: the reference texts live in it (see jaro-winkler-kernel.ts). Each kernel
;; instance (one per field scorer and thread) owns a scratch region at $scratch:
;;   [0, 0x200000)           four tables of an i64 per code unit c, word w at 0x80000·w + 8c: bit j of word j/64 set
;;                           when a[j] = c (zero between uses); values of ≤ 64 units only touch the first
;;   [0x200000, 0x200200)    b's matched characters, in order (u16)
;;   [0x200200, 0x200220)    $longJaro: a's free positions (four i64)
;;   [0x200220, 0x200420)    the source value (u16, 1–256 code units), prepared for many `score` calls
;;   [0x200420, 0x200620)    the next source value, written by the caller before `replaceSource`
;;   [0x200620, 0x200624)    the prepared source value's length (0: none), kept by `replaceSource` and `matchBatch`
;; Addresses and lengths are in bytes and code units; every function expects 1–256 code units on each side.
;; `score` is one function on purpose: V8 does not inline calls between WebAssembly functions, and splitting the
;; table building and clearing out of it cost 15 % of the throughput.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (import "env" "scratch" (global $ownScratch i32))
  ;; Ties between candidates go to the smaller reference id (scoreRow; the ids are JavaScript's).
  (import "env" "compareIds" (func $compareIds (param i32 i32) (result i32)))
  ;; The scratch region in use: this instance's own, or (scoreRow) the region of the field being scored.
  (global $scratch (mut i32) (global.get $ownScratch))

  ;; Position masks of a[0, len) into the table (for many `score` calls with ownTable = 0).
  (func $prepare (export "prepare") (param $a i32) (param $len i32)
    (local $j i32) (local $slot i32)
    (local $table i32) ;; the scratch region, read once: a local stays in a register
    (local.set $table (global.get $scratch))
    (loop $next
      (local.set $slot (i32.add (i32.add (local.get $table)
          (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1)))) (i32.const 3)))
        (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 19))))
      (i64.store (local.get $slot)
        (i64.or (i64.load (local.get $slot)) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $j) (local.get $len)))))

  ;; Zero what `prepare` set for a[0, len).
  (func $clear (export "clear") (param $a i32) (param $len i32)
    (local $j i32)
    (local $table i32) ;; the scratch region, read once: a local stays in a register
    (local.set $table (global.get $scratch))
    (loop $next
      (i64.store (i32.add (i32.add (local.get $table)
            (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1)))) (i32.const 3)))
          (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 19)))
        (i64.const 0))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $j) (local.get $len)))))

  ;; The engine's per-value step in one call: clear the table of the prepared source value, move the next value
  ;; (length code units) into the source slot and build its table.
  (func (export "replaceSource") (param $length i32)
    (call $prepareSource (i32.add (global.get $scratch) (i32.const 0x200420)) (local.get $length)))

  ;; replaceSource with the value read from `from` (length code units) in the scratch region at $scratch.
  (func $prepareSource (param $from i32) (param $length i32)
    (local $source i32) (local $previous i32)
    (local.set $source (i32.add (global.get $scratch) (i32.const 0x200220)))
    (local.set $previous (i32.load (i32.add (global.get $scratch) (i32.const 0x200620))))
    (if (local.get $previous) (then (call $clear (local.get $source) (local.get $previous))))
    (memory.copy (local.get $source) (local.get $from) (i32.shl (local.get $length) (i32.const 1)))
    (call $prepare (local.get $source) (local.get $length))
    (i32.store (i32.add (global.get $scratch) (i32.const 0x200620)) (local.get $length)))

  ;; max(0, ⌊max(al, bl) / 2⌋ − 1)
  (func $window (param $al i32) (param $bl i32) (result i32)
    (local $half i32)
    (local.set $half (i32.shr_u (select (local.get $al) (local.get $bl) (i32.gt_u (local.get $al) (local.get $bl))) (i32.const 1)))
    (select (i32.sub (local.get $half) (i32.const 1)) (i32.const 0) (local.get $half)))

  ;; (m/al + m/bl + (m − t)/m) / 3 with t = ⌊outOfOrder / 2⌋: the same operations in the same order as the
  ;; JavaScript kernel, so the same doubles.
  (func $jaro (param $matches i32) (param $al i32) (param $bl i32) (param $outOfOrder i32) (result f64)
    (local $m f64)
    (local.set $m (f64.convert_i32_u (local.get $matches)))
    (f64.div
      (f64.add (f64.add (f64.div (local.get $m) (f64.convert_i32_u (local.get $al)))
                        (f64.div (local.get $m) (f64.convert_i32_u (local.get $bl))))
               (f64.div (f64.convert_i32_u (i32.sub (local.get $matches) (i32.shr_u (local.get $outOfOrder) (i32.const 1))))
                        (local.get $m)))
      (f64.const 3)))

  ;; Jaro of a and b (1–256 units each) while the table holds a's positions: each character of b takes the lowest
  ;; free position of a in its window, found word by word.
  (func $longJaro (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (result f64)
    (local $i i32) (local $c i32) (local $window i32) (local $lo i32) (local $hi i32) (local $w i32) (local $last i32)
    (local $candidates i64) (local $slot i32) (local $position i32) (local $maxTaken i32) (local $disorder i32)
    (local $matches i32) (local $free i32) (local $walked i32) (local $taken i64) (local $outOfOrder i32)
    (local $table i32) ;; the scratch region, read once: a local stays in a register
    (local.set $table (global.get $scratch))
    (local.set $window (call $window (local.get $al) (local.get $bl)))
    (local.set $free (i32.add (local.get $table) (i32.const 0x200200)))
    (i64.store offset=0 (local.get $free) (i64.const -1))
    (i64.store offset=8 (local.get $free) (i64.const -1))
    (i64.store offset=16 (local.get $free) (i64.const -1))
    (i64.store offset=24 (local.get $free) (i64.const -1))
    (local.set $walked (i32.add (local.get $table) (i32.const 0x200000)))
    (local.set $maxTaken (i32.const -1))
    (loop $walk
      (local.set $c (i32.load16_u (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 1)))))
      ;; window [lo, hi] of positions of a
      (local.set $lo (select (i32.sub (local.get $i) (local.get $window)) (i32.const 0) (i32.gt_u (local.get $i) (local.get $window))))
      (local.set $hi (i32.add (local.get $i) (local.get $window)))
      (local.set $hi (select (local.get $hi) (i32.sub (local.get $al) (i32.const 1)) (i32.lt_u (local.get $hi) (local.get $al))))
      (if (i32.le_s (local.get $lo) (local.get $hi)) (then
        (local.set $w (i32.shr_u (local.get $lo) (i32.const 6)))
        (local.set $last (i32.shr_u (local.get $hi) (i32.const 6)))
        (block $found
          (loop $words
            (local.set $slot (i32.add (local.get $free) (i32.shl (local.get $w) (i32.const 3))))
            (local.set $candidates (i64.and (i64.and
              (i64.load (i32.add (i32.add (local.get $table) (i32.shl (local.get $c) (i32.const 3)))
                                 (i32.shl (local.get $w) (i32.const 19))))
              (i64.load (local.get $slot)))
              ;; the window's bits within word w
              (i64.and
                (i64.shl (i64.const -1) (i64.extend_i32_u
                  (select (i32.and (local.get $lo) (i32.const 63)) (i32.const 0) (i32.eq (local.get $w) (i32.shr_u (local.get $lo) (i32.const 6))))))
                (i64.shr_u (i64.const -1) (i64.extend_i32_u (i32.sub (i32.const 63)
                  (select (i32.and (local.get $hi) (i32.const 63)) (i32.const 63) (i32.eq (local.get $w) (local.get $last)))))))))
            (if (i64.ne (local.get $candidates) (i64.const 0)) (then
              (i64.store (local.get $slot) (i64.xor (i64.load (local.get $slot))
                (i64.and (local.get $candidates) (i64.sub (i64.const 0) (local.get $candidates)))))
              (local.set $position (i32.add (i32.shl (local.get $w) (i32.const 6)) (i32.wrap_i64 (i64.ctz (local.get $candidates)))))
              (local.set $disorder (i32.or (local.get $disorder) (i32.lt_s (local.get $position) (local.get $maxTaken))))
              (local.set $maxTaken (select (local.get $position) (local.get $maxTaken) (i32.gt_s (local.get $position) (local.get $maxTaken))))
              (i32.store16 (i32.add (local.get $walked) (i32.shl (local.get $matches) (i32.const 1))) (local.get $c))
              (local.set $matches (i32.add (local.get $matches) (i32.const 1)))
              (br $found)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br_if $words (i32.le_u (local.get $w) (local.get $last)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $walk (i32.lt_u (local.get $i) (local.get $bl))))
    (if (i32.eqz (local.get $matches)) (then (return (f64.const 0))))
    (if (local.get $disorder) (then
      ;; the k-th taken position of a (lowest first, word by word) against b's k-th matched character
      (local.set $w (i32.const 0))
      (loop $words
        (local.set $taken (i64.xor (i64.load (i32.add (local.get $free) (i32.shl (local.get $w) (i32.const 3)))) (i64.const -1)))
        (block $wordDone
          (loop $bits
            (br_if $wordDone (i64.eqz (local.get $taken)))
            (local.set $position (i32.add (i32.shl (local.get $w) (i32.const 6)) (i32.wrap_i64 (i64.ctz (local.get $taken)))))
            (local.set $outOfOrder (i32.add (local.get $outOfOrder)
              (i32.ne (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $position) (i32.const 1))))
                      (i32.load16_u (local.get $walked)))))
            (local.set $walked (i32.add (local.get $walked) (i32.const 2)))
            (local.set $taken (i64.and (local.get $taken) (i64.sub (local.get $taken) (i64.const 1))))
            (br $bits)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br_if $words (i32.lt_u (local.get $w) (i32.const 4))))))
    (call $jaro (local.get $matches) (local.get $al) (local.get $bl) (local.get $outOfOrder)))

  ;; Jaro–Winkler of a and b. ownTable = 0: the table holds a's positions (`prepare`d); 1: build it and clear it.
  (func $score (export "score") (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (param $ownTable i32) (result f64)
    (local $j i32) (local $c i32) (local $slot i32) (local $window i32) (local $inWindow i64) (local $free i64)
    (local $disorder i64) (local $matches i32) (local $candidates i64) (local $low i64) (local $walked i32)
    (local $outOfOrder i32) (local $jaro f64) (local $limit i32)
    (local $table i32) ;; the scratch region, read once: a local stays in a register
    (local.set $table (global.get $scratch))
    ;; equal strings
    (if (i32.eq (local.get $al) (local.get $bl)) (then
      (block $differ
        (loop $same
          (br_if $differ (i32.ne (i32.load16_u (i32.add (local.get $a) (local.get $j)))
                                 (i32.load16_u (i32.add (local.get $b) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 2)))
          (br_if $same (i32.lt_u (local.get $j) (i32.shl (local.get $al) (i32.const 1)))))
        (return (f64.const 1)))
      (local.set $j (i32.const 0))))
    (if (local.get $ownTable) (then
      (loop $build
        (local.set $slot (i32.add (i32.add (local.get $table)
            (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1)))) (i32.const 3)))
          (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 19))))
        (i64.store (local.get $slot)
          (i64.or (i64.load (local.get $slot)) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $build (i32.lt_u (local.get $j) (local.get $al))))
      (local.set $j (i32.const 0))))
    (block $scored
      (if (i32.or (i32.gt_u (local.get $al) (i32.const 64)) (i32.gt_u (local.get $bl) (i32.const 64))) (then
        (local.set $jaro (call $longJaro (local.get $a) (local.get $al) (local.get $b) (local.get $bl)))
        (br $scored)))
      ;; inWindow = positions [i − window, i + window] for i = 0 (window ≤ 31 here)
      (local.set $window (call $window (local.get $al) (local.get $bl)))
      (local.set $inWindow (i64.sub (i64.shl (i64.const 2) (i64.extend_i32_u (local.get $window))) (i64.const 1)))
      (local.set $free (i64.const -1))
      (local.set $walked (i32.add (local.get $table) (i32.const 0x200000)))
      (loop $walk
        (local.set $c (i32.load16_u (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 1)))))
        (local.set $candidates (i64.and (i64.and
          (i64.load (i32.add (local.get $table) (i32.shl (local.get $c) (i32.const 3))))
          (local.get $inWindow)) (local.get $free)))
        (local.set $low (i64.and (local.get $candidates) (i64.sub (i64.const 0) (local.get $candidates))))
        (local.set $disorder (i64.or (local.get $disorder)
          (i64.and (i64.xor (local.get $free) (i64.const -1)) (i64.sub (i64.const 0) (local.get $low)))))
        (local.set $free (i64.xor (local.get $free) (local.get $low)))
        (i32.store16 (i32.add (local.get $walked) (i32.shl (local.get $matches) (i32.const 1))) (local.get $c))
        (local.set $matches (i32.add (local.get $matches) (i64.ne (local.get $low) (i64.const 0))))
        (local.set $inWindow (i64.or (i64.shl (local.get $inWindow) (i64.const 1))
          (i64.extend_i32_u (i32.shr_u (i32.sub (local.get $j) (local.get $window)) (i32.const 31)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $walk (i32.lt_u (local.get $j) (local.get $bl))))
      (br_if $scored (i32.eqz (local.get $matches))) ;; Jaro 0
      (if (i64.ne (local.get $disorder) (i64.const 0)) (then
        ;; the k-th taken position of a (lowest first) against b's k-th matched character
        (local.set $free (i64.xor (local.get $free) (i64.const -1)))
        (loop $transposed
          (local.set $outOfOrder (i32.add (local.get $outOfOrder)
            (i32.ne (i32.load16_u (i32.add (local.get $a) (i32.shl (i32.wrap_i64 (i64.ctz (local.get $free))) (i32.const 1))))
                    (i32.load16_u (local.get $walked)))))
          (local.set $walked (i32.add (local.get $walked) (i32.const 2)))
          (local.set $free (i64.and (local.get $free) (i64.sub (local.get $free) (i64.const 1))))
          (br_if $transposed (i64.ne (local.get $free) (i64.const 0))))))
      (local.set $jaro (call $jaro (local.get $matches) (local.get $al) (local.get $bl) (local.get $outOfOrder))))
    (if (local.get $ownTable) (then
      (local.set $j (i32.const 0))
      (loop $clear
        (i64.store (i32.add (i32.add (local.get $table)
              (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1)))) (i32.const 3)))
            (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 19)))
          (i64.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $clear (i32.lt_u (local.get $j) (local.get $al))))))
    (if (f64.le (local.get $jaro) (f64.const 0.7)) (then (return (local.get $jaro))))
    ;; Winkler: common prefix of up to 4 code units
    (local.set $limit (select (local.get $al) (local.get $bl) (i32.lt_u (local.get $al) (local.get $bl))))
    (local.set $limit (select (local.get $limit) (i32.const 4) (i32.lt_u (local.get $limit) (i32.const 4))))
    (local.set $j (i32.const 0))
    (block $end
      (loop $prefix
        (br_if $end (i32.ge_u (local.get $j) (local.get $limit)))
        (br_if $end (i32.ne (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1))))
                            (i32.load16_u (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 1))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $prefix)))
    (f64.add (local.get $jaro)
      (f64.mul (f64.mul (f64.convert_i32_u (local.get $j)) (f64.const 0.1)) (f64.sub (f64.const 1) (local.get $jaro)))))
;; ------------------------------------------------------------------------------------------------------------
  ;; A source row against its candidates: the weighted scoring of match.ts (scoreCandidates) for rows whose fields
  ;; are all Jaro–Winkler or exact, one call per row instead of one per pair and field (see row-scorer.ts).
  ;; $fields: $fieldCount descriptors of 32 bytes, heaviest field first:
  ;;   +0 kind (0 = no source value, 1 = Jaro–Winkler, 2 = exact)   +4 the field's slot in the text pool
  ;;   +8 weight (f64)   +16 Jaro–Winkler: the scratch region holding the source value's table
  ;;   +20 source value address   +24 its length (1–256 code units)   +28 the field's mapping index
  ;; $out: +0 top rows (5 × i32), +24 top scores (5 × f64), +64 the best pair's field scores by mapping index
  ;; (NaN = not scored), then the current pair's, then the remaining weights (fieldCount + 1 f64).
  ;; Returns how many candidates the top list kept, or −1 when a reference value is over 256 code units (the
  ;; caller scores that row in JavaScript).
  ;; A source row whose normal texts came with its batch (row-ingest.ts): field f's text is texts[ends[endAt + f − 1],
  ;; ends[endAt + f]) (from 0 when endAt + f = 0), in u16 code units. Per scoring position k, kinds[k] is the
  ;; field's kind or 0 when it does not score. Fills each descriptor's kind, codes and length as row-scorer.ts does
  ;; for scoreRow (Jaro–Winkler values are prepared in their field's scratch region, exact ones read where they
  ;; are). Returns 1 when some scoring field has a value, 0 when none has, −2 when a value is over 256 units.
  (func $prepareBatchRow (param $fields i32) (param $fieldCount i32) (param $kinds i32) (param $texts i32)
      (param $ends i32) (param $endAt i32) (result i32)
    (local $k i32) (local $d i32) (local $kind i32) (local $at i32) (local $start i32) (local $len i32)
    (local $present i32)
    (block $prepared
      (loop $field
        (br_if $prepared (i32.ge_u (local.get $k) (local.get $fieldCount)))
        (local.set $d (i32.add (local.get $fields) (i32.shl (local.get $k) (i32.const 5))))
        (local.set $kind (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (i32.store (local.get $d) (i32.const 0))
        (br_if $field (i32.eqz (local.get $kind)))
        (local.set $at (i32.add (local.get $endAt) (i32.load offset=28 (local.get $d))))
        (local.set $start (select
          (i32.load (i32.add (local.get $ends) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 2))))
          (i32.const 0) (local.get $at)))
        (local.set $len (i32.sub (i32.load (i32.add (local.get $ends) (i32.shl (local.get $at) (i32.const 2))))
          (local.get $start)))
        (br_if $field (i32.eqz (local.get $len)))
        (if (i32.gt_u (local.get $len) (i32.const 256)) (then (return (i32.const -2))))
        (local.set $present (i32.const 1))
        (i32.store (local.get $d) (local.get $kind))
        (i32.store offset=24 (local.get $d) (local.get $len))
        (local.set $start (i32.add (local.get $texts) (i32.shl (local.get $start) (i32.const 1))))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (global.set $scratch (i32.load offset=16 (local.get $d)))
            (call $prepareSource (local.get $start) (local.get $len))
            (i32.store offset=20 (local.get $d) (i32.add (global.get $scratch) (i32.const 0x200220))))
          (else (i32.store offset=20 (local.get $d) (local.get $start))))
        (br $field)))
    (local.get $present))

  ;; Candidates of a source row from its key hashes [at, end) (CandidateCollector.collect's union, or with
  ;; ordered fallback the first key that yields any), deduplicated with the epoch-stamped `seen` array (its epoch
  ;; in the word before it), into `candidates`. Returns their count, or −1 when there are more than `max`.
  ;; `blocking` holds the posting table's addresses: keys, values, mask, entryStart, entryDropped, postings, seen,
  ;; orderedFallback, then the size of `seen` in bytes.
  (func $collect (param $blocking i32) (param $at i32) (param $end i32) (param $candidates i32) (param $max i32)
      (result i32)
    (local $keys i32) (local $values i32) (local $mask i32) (local $entryStart i32) (local $dropped i32)
    (local $postings i32) (local $seen i32) (local $fallback i32) (local $epoch i32) (local $hash i32)
    (local $slot i32) (local $entry i32) (local $p i32) (local $pEnd i32) (local $row i32) (local $count i32)
    (local.set $keys (i32.load (local.get $blocking)))
    (local.set $values (i32.load offset=4 (local.get $blocking)))
    (local.set $mask (i32.load offset=8 (local.get $blocking)))
    (local.set $entryStart (i32.load offset=12 (local.get $blocking)))
    (local.set $dropped (i32.load offset=16 (local.get $blocking)))
    (local.set $postings (i32.load offset=20 (local.get $blocking)))
    (local.set $seen (i32.load offset=24 (local.get $blocking)))
    (local.set $fallback (i32.load offset=28 (local.get $blocking)))
    (local.set $epoch (i32.add (i32.load (i32.sub (local.get $seen) (i32.const 4))) (i32.const 1)))
    (if (i32.eq (local.get $epoch) (i32.const 0x7fffffff))
      (then
        (memory.fill (local.get $seen) (i32.const 0) (i32.load offset=32 (local.get $blocking)))
        (local.set $epoch (i32.const 1))))
    (i32.store (i32.sub (local.get $seen) (i32.const 4)) (local.get $epoch))
    (block $done
      (loop $eachHash
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $hash (i32.load (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        ;; tableGet: linear probing from hash & mask; value −1 marks an empty slot
        (local.set $slot (i32.and (local.get $hash) (local.get $mask)))
        (block $found
          (loop $probe
            (local.set $entry (i32.load (i32.add (local.get $values) (i32.shl (local.get $slot) (i32.const 2)))))
            (br_if $eachHash (i32.eq (local.get $entry) (i32.const -1)))
            (br_if $found (i32.eq (i32.load (i32.add (local.get $keys) (i32.shl (local.get $slot) (i32.const 2))))
                                  (local.get $hash)))
            (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
            (br $probe)))
        (br_if $eachHash (i32.load8_u (i32.add (local.get $dropped) (local.get $entry)))) ;; a stop-key
        (local.set $p (i32.load (i32.add (local.get $entryStart) (i32.shl (local.get $entry) (i32.const 2)))))
        (local.set $pEnd (i32.load offset=4 (i32.add (local.get $entryStart) (i32.shl (local.get $entry) (i32.const 2)))))
        (block $posted
          (loop $posting
            (br_if $posted (i32.ge_s (local.get $p) (local.get $pEnd)))
            (local.set $row (i32.load (i32.add (local.get $postings) (i32.shl (local.get $p) (i32.const 2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $posting (i32.eq (i32.load (i32.add (local.get $seen) (i32.shl (local.get $row) (i32.const 2))))
                                    (local.get $epoch)))
            (i32.store (i32.add (local.get $seen) (i32.shl (local.get $row) (i32.const 2))) (local.get $epoch))
            (if (i32.ge_u (local.get $count) (local.get $max)) (then (return (i32.const -1))))
            (i32.store (i32.add (local.get $candidates) (i32.shl (local.get $count) (i32.const 2))) (local.get $row))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (br $posting)))
        (br_if $done (i32.and (local.get $fallback) (i32.ne (local.get $count) (i32.const 0))))
        (br $eachHash)))
    (local.get $count))

  ;; A batch of source rows in one call: per row, candidates from its key hashes ($collect), its fields prepared
  ;; ($prepareBatchRow) and scored (scoreRow), the result stored per row where the caller copies it in bulk.
  ;; `batch` holds: kinds, texts, ends, hashes, rowEnds (batch row r's hashes end at rowEnds[r], from 0), rows,
  ;; blocking (see $collect), candidates, maxCandidates, then the outputs: status (kept, or −1: the row needs the
  ;; JavaScript path), count (pairs compared), topRows (5 per row, 0 past kept), topScores (5 f64 per row, 0 past
  ;; kept), fieldScores (fieldCount f64 per row: the best pair's, NaN when none).
  (func (export "matchBatch") (param $fields i32) (param $fieldCount i32) (param $offsets i32) (param $stride i32)
      (param $codes i32) (param $out i32) (param $batch i32)
    (local $kinds i32) (local $texts i32) (local $ends i32) (local $hashes i32) (local $rowEnds i32) (local $rows i32)
    (local $blocking i32) (local $candidates i32) (local $max i32) (local $status i32) (local $count i32)
    (local $topRows i32) (local $topScores i32) (local $fieldScores i32) (local $counts i32)
    (local $r i32) (local $hashStart i32) (local $hashEnd i32) (local $k i32) (local $pairs i32)
    (local.set $kinds (i32.load (local.get $batch)))
    (local.set $texts (i32.load offset=4 (local.get $batch)))
    (local.set $ends (i32.load offset=8 (local.get $batch)))
    (local.set $hashes (i32.load offset=12 (local.get $batch)))
    (local.set $rowEnds (i32.load offset=16 (local.get $batch)))
    (local.set $rows (i32.load offset=20 (local.get $batch)))
    (local.set $blocking (i32.load offset=24 (local.get $batch)))
    (local.set $candidates (i32.load offset=28 (local.get $batch)))
    (local.set $max (i32.load offset=32 (local.get $batch)))
    (local.set $status (i32.load offset=36 (local.get $batch)))
    (local.set $counts (i32.load offset=40 (local.get $batch)))
    (local.set $topRows (i32.load offset=44 (local.get $batch)))
    (local.set $topScores (i32.load offset=48 (local.get $batch)))
    (local.set $fieldScores (i32.load offset=52 (local.get $batch)))
    (block $allDone
      (loop $row
        (br_if $allDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $hashEnd (i32.load (i32.add (local.get $rowEnds) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $count (call $collect (local.get $blocking)
          (i32.add (local.get $hashes) (i32.shl (local.get $hashStart) (i32.const 2)))
          (i32.add (local.get $hashes) (i32.shl (local.get $hashEnd) (i32.const 2)))
          (local.get $candidates) (local.get $max)))
        (local.set $hashStart (local.get $hashEnd))
        ;; status: kept, or −1 (too many candidates, a value over 256 units: the JavaScript path); pairs are
        ;; counted only when the row was scored (a row with no scoring value is not blocked in matchRow)
        (local.set $pairs (i32.const 0))
        (if (i32.le_s (local.get $count) (i32.const 0))
          (then (local.set $k (select (i32.const -1) (i32.const 0) (i32.lt_s (local.get $count) (i32.const 0)))))
          (else
            (local.set $k (call $prepareBatchRow (local.get $fields) (local.get $fieldCount) (local.get $kinds)
              (local.get $texts) (local.get $ends) (i32.mul (local.get $r) (local.get $fieldCount))))
            (if (i32.eq (local.get $k) (i32.const 1))
              (then
                (local.set $k (call $scoreRow (local.get $fields) (local.get $fieldCount) (local.get $candidates)
                  (local.get $count) (local.get $offsets) (local.get $stride) (local.get $codes) (local.get $out)))
                (if (i32.ge_s (local.get $k) (i32.const 0)) (then (local.set $pairs (local.get $count)))))
              (else (local.set $k (select (i32.const -1) (i32.const 0) (i32.eq (local.get $k) (i32.const -2))))))))
        (i32.store (i32.add (local.get $status) (i32.shl (local.get $r) (i32.const 2))) (local.get $k))
        (i32.store (i32.add (local.get $counts) (i32.shl (local.get $r) (i32.const 2))) (local.get $pairs))
        (call $storeRow (local.get $out) (local.get $fieldCount) (local.get $r)
          (select (local.get $k) (i32.const 0) (i32.gt_s (local.get $k) (i32.const 0)))
          (local.get $topRows) (local.get $topScores) (local.get $fieldScores))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Row r's outputs of matchBatch from scoreRow's `out` region: the first `kept` of the top list (the rest 0) and
  ;; the best pair's field scores (NaN when kept is 0).
  (func $storeRow (param $out i32) (param $fieldCount i32) (param $r i32) (param $kept i32) (param $topRows i32)
      (param $topScores i32) (param $fieldScores i32)
    (local $k i32) (local $rowAt i32) (local $scoreAt i32) (local $fieldAt i32)
    (local.set $rowAt (i32.add (local.get $topRows) (i32.mul (local.get $r) (i32.const 20))))
    (local.set $scoreAt (i32.add (local.get $topScores) (i32.mul (local.get $r) (i32.const 40))))
    (local.set $fieldAt (i32.add (local.get $fieldScores) (i32.mul (local.get $r) (i32.shl (local.get $fieldCount) (i32.const 3)))))
    (block $top
      (loop $slot
        (br_if $top (i32.ge_u (local.get $k) (i32.const 5)))
        (if (i32.lt_u (local.get $k) (local.get $kept))
          (then
            (i32.store (i32.add (local.get $rowAt) (i32.shl (local.get $k) (i32.const 2)))
              (i32.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))))
            (f64.store (i32.add (local.get $scoreAt) (i32.shl (local.get $k) (i32.const 3)))
              (f64.load offset=24 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))))
          (else
            (i32.store (i32.add (local.get $rowAt) (i32.shl (local.get $k) (i32.const 2))) (i32.const 0))
            (f64.store (i32.add (local.get $scoreAt) (i32.shl (local.get $k) (i32.const 3))) (f64.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $slot)))
    (local.set $k (i32.const 0))
    (block $scores
      (loop $field
        (br_if $scores (i32.ge_u (local.get $k) (local.get $fieldCount)))
        (f64.store (i32.add (local.get $fieldAt) (i32.shl (local.get $k) (i32.const 3)))
          (select (f64.load offset=64 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))
                  (f64.const nan) (local.get $kept)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $field))))

  (func $scoreRow (export "scoreRow") (param $fields i32) (param $fieldCount i32) (param $candidates i32) (param $count i32)
      (param $offsets i32) (param $stride i32) (param $codes i32) (param $out i32) (result i32)
    (local $best i32) (local $pair i32) (local $remaining i32) (local $k i32) (local $c i32) (local $ref i32)
    (local $d i32) (local $kind i32) (local $at i32) (local $start i32) (local $len i32) (local $s f64) (local $w f64)
    (local $weighted f64) (local $present f64) (local $rest f64) (local $kept i32) (local $scoresBytes i32)
    (local.set $scoresBytes (i32.shl (local.get $fieldCount) (i32.const 3)))
    (local.set $best (i32.add (local.get $out) (i32.const 64)))
    (local.set $pair (i32.add (local.get $best) (local.get $scoresBytes)))
    (local.set $remaining (i32.add (local.get $pair) (local.get $scoresBytes)))
    ;; remaining[k]: the weight of the fields with a source value from position k on
    (f64.store (i32.add (local.get $remaining) (local.get $scoresBytes)) (f64.const 0))
    (local.set $k (local.get $fieldCount))
    (block $summed
      (loop $back
        (br_if $summed (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $d (i32.add (local.get $fields) (i32.shl (local.get $k) (i32.const 5))))
        (f64.store (i32.add (local.get $remaining) (i32.shl (local.get $k) (i32.const 3)))
          (f64.add (f64.load offset=8 (i32.add (local.get $remaining) (i32.shl (local.get $k) (i32.const 3))))
            (select (f64.load offset=8 (local.get $d)) (f64.const 0) (i32.load (local.get $d)))))
        (br $back)))
    (block $rowDone
      (loop $candidate
        (br_if $rowDone (i32.ge_u (local.get $c) (local.get $count)))
        (local.set $ref (i32.load (i32.add (local.get $candidates) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (local.set $weighted (f64.const 0))
        (local.set $present (f64.const 0))
        (local.set $k (i32.const 0))
        (block $cleared
          (loop $clear
            (br_if $cleared (i32.ge_u (local.get $k) (local.get $fieldCount)))
            (f64.store (i32.add (local.get $pair) (i32.shl (local.get $k) (i32.const 3))) (f64.const nan))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $clear)))
        (local.set $k (i32.const 0))
        (block $scored
          (loop $field
            (br_if $scored (i32.ge_u (local.get $k) (local.get $fieldCount)))
            ;; Exact pruning, as in match.ts: a full top list and a pair that cannot reach its 5th best.
            (if (i32.and (i32.eq (local.get $kept) (i32.const 5)) (i32.ne (local.get $k) (i32.const 0))) (then
              (local.set $rest (f64.load (i32.add (local.get $remaining) (i32.shl (local.get $k) (i32.const 3)))))
              (br_if $candidate (f64.lt
                (f64.div (f64.add (local.get $weighted) (local.get $rest)) (f64.add (local.get $present) (local.get $rest)))
                (f64.load offset=56 (local.get $out))))))
            (local.set $d (i32.add (local.get $fields) (i32.shl (local.get $k) (i32.const 5))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (local.set $kind (i32.load (local.get $d)))
            (br_if $field (i32.eqz (local.get $kind)))
            (local.set $at (i32.add (local.get $offsets) (i32.shl
              (i32.add (i32.mul (local.get $ref) (local.get $stride)) (i32.load offset=4 (local.get $d))) (i32.const 2))))
            (local.set $start (i32.load (local.get $at)))
            (local.set $len (i32.sub (i32.load offset=4 (local.get $at)) (local.get $start)))
            (br_if $field (i32.eqz (local.get $len))) ;; no reference value: the field is left out
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then
                (if (i32.gt_u (local.get $len) (i32.const 256)) (then (return (i32.const -1))))
                (global.set $scratch (i32.load offset=16 (local.get $d)))
                (local.set $s (call $score (i32.load offset=20 (local.get $d)) (i32.load offset=24 (local.get $d))
                  (i32.add (local.get $codes) (i32.shl (local.get $start) (i32.const 1))) (local.get $len) (i32.const 0))))
              (else
                (local.set $s (call $equal (i32.load offset=20 (local.get $d)) (i32.load offset=24 (local.get $d))
                  (i32.add (local.get $codes) (i32.shl (local.get $start) (i32.const 1))) (local.get $len)))))
            (f64.store (i32.add (local.get $pair) (i32.shl (i32.load offset=28 (local.get $d)) (i32.const 3))) (local.get $s))
            (local.set $w (f64.load offset=8 (local.get $d)))
            (local.set $weighted (f64.add (local.get $weighted) (f64.mul (local.get $w) (local.get $s))))
            (local.set $present (f64.add (local.get $present) (local.get $w)))
            (br $field)))
        (br_if $candidate (f64.eq (local.get $present) (f64.const 0)))
        (local.set $kept (call $offerTop (local.get $out) (local.get $kept) (local.get $ref)
          (f64.div (local.get $weighted) (local.get $present))))
        (if (i32.eq (i32.load (local.get $out)) (local.get $ref)) (then
          (memory.copy (local.get $best) (local.get $pair) (local.get $scoresBytes))))
        (br $candidate)))
    (local.get $kept))

  ;; 1 when a (al units) and b (bl units) are the same code units, else 0.
  (func $equal (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (result f64)
    (local $j i32)
    (if (i32.ne (local.get $al) (local.get $bl)) (then (return (f64.const 0))))
    (block $same
      (loop $next
        (br_if $same (i32.ge_u (local.get $j) (local.get $al)))
        (if (i32.ne (i32.load16_u (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 1))))
                    (i32.load16_u (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 1)))))
          (then (return (f64.const 0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (f64.const 1))

  ;; offerTop of match.ts: inserts (ref, score) into the top list at $out (rows +0, scores +24) of `kept` entries
  ;; if it belongs there (higher score first, then smaller reference id); returns the new length.
  (func $offerTop (param $out i32) (param $kept i32) (param $ref i32) (param $score f64) (result i32)
    (local $at i32) (local $s f64) (local $k i32)
    (local.set $at (local.get $kept))
    (block $found
      (loop $up
        (br_if $found (i32.eqz (local.get $at)))
        (local.set $s (f64.load offset=24 (i32.add (local.get $out) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 3)))))
        (br_if $found (f64.gt (local.get $s) (local.get $score)))
        (if (f64.eq (local.get $s) (local.get $score)) (then
          (br_if $found (i32.lt_s
            (call $compareIds (i32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 2))))
              (local.get $ref))
            (i32.const 0)))))
        (local.set $at (i32.sub (local.get $at) (i32.const 1)))
        (br $up)))
    (if (i32.ge_u (local.get $at) (i32.const 5)) (then (return (local.get $kept))))
    (local.set $k (select (local.get $kept) (i32.const 4) (i32.lt_u (local.get $kept) (i32.const 5))))
    (block $shifted
      (loop $shift
        (br_if $shifted (i32.le_u (local.get $k) (local.get $at)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (i32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))
        (f64.store offset=24 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3)))
          (f64.load offset=24 (i32.add (local.get $out) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3)))))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $shift)))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2))) (local.get $ref))
    (f64.store offset=24 (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 3))) (local.get $score))
    (select (i32.add (local.get $kept) (i32.const 1)) (local.get $kept) (i32.lt_u (local.get $kept) (i32.const 5))))
)
