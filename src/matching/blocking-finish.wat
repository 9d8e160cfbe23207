;; The passes that turn a reference index's key hashes into its posting table (BlockingIndexBuilder.finish in
;; blocking.ts; read it first): the same steps as the JavaScript passes there, with the same result to the byte.
;; Why WebAssembly: each pass is one long loop that runs once per build, so in a fresh process V8 interprets it
;; until on-stack replacement compiles it near its end (five passes: about 10 ms of a 5,000-row build, where
;; this takes a fraction of one); compiled code runs at once here.
;;
;; The memory is the caller's, laid out by finishBlockingInWasm (blocking-finish.ts). Every array holds i32 except
;; `dropped` (u8); addresses are in bytes, counts in elements. Hashes compare as signed integers, as in JavaScript.
(module
  (import "env" "memory" (memory 1))

  ;; Sorts each row's hashes (row r: hashes[rowEnds[r-1], rowEnds[r])), drops repeats within a row, and writes the
  ;; emissions left, in row order, to hashes[0, emitted) (in place) and their rows to rows[0, emitted).
  ;; Returns `emitted`.
  (func (export "dedupeRows") (param $hashes i32) (param $rowEnds i32) (param $rowCount i32) (param $rows i32)
      (result i32)
    (local $r i32) (local $start i32) (local $end i32) (local $i i32) (local $j i32) (local $h i32)
    (local $w i32) (local $last i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rowCount)))
        (local.set $end (i32.load (i32.add (local.get $rowEnds) (i32.shl (local.get $r) (i32.const 2)))))
        ;; Insertion sort of [start, end): a row has a handful of hashes.
        (local.set $i (i32.add (local.get $start) (i32.const 1)))
        (block $sorted
          (loop $insert
            (br_if $sorted (i32.ge_s (local.get $i) (local.get $end)))
            (local.set $h (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $j (i32.sub (local.get $i) (i32.const 1)))
            (block $placed
              (loop $shift
                (br_if $placed (i32.lt_s (local.get $j) (local.get $start)))
                (br_if $placed (i32.le_s
                  (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $j) (i32.const 2)))) (local.get $h)))
                (i32.store (i32.add (local.get $hashes) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))
                  (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                (br $shift)))
            (i32.store (i32.add (local.get $hashes) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))
              (local.get $h))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $insert)))
        ;; Each distinct hash once, moved down to the write position (w ≤ i: in place is safe).
        (local.set $i (local.get $start))
        (block $copied
          (loop $copy
            (br_if $copied (i32.ge_s (local.get $i) (local.get $end)))
            (local.set $h (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.or (i32.eq (local.get $i) (local.get $start)) (i32.ne (local.get $h) (local.get $last)))
              (then
                (i32.store (i32.add (local.get $hashes) (i32.shl (local.get $w) (i32.const 2))) (local.get $h))
                (i32.store (i32.add (local.get $rows) (i32.shl (local.get $w) (i32.const 2))) (local.get $r))
                (local.set $w (i32.add (local.get $w) (i32.const 1)))))
            (local.set $last (local.get $h))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy)))
        (local.set $start (local.get $end))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (local.get $w))

  ;; Stores `value` for `key` in an open-addressing table (keys at $keys, values at $values, −1 = empty slot)
  ;; unless the key is there; returns the value found, or −1 when it stored. Linear probing, as tableGetOrPut.
  (func $getOrPut (param $keys i32) (param $values i32) (param $mask i32) (param $key i32) (param $value i32)
      (result i32)
    (local $slot i32) (local $at i32) (local $v i32)
    (local.set $slot (i32.and (local.get $key) (local.get $mask)))
    (loop $probe
      (local.set $at (i32.shl (local.get $slot) (i32.const 2)))
      (local.set $v (i32.load (i32.add (local.get $values) (local.get $at))))
      (if (i32.eq (local.get $v) (i32.const -1))
        (then
          (i32.store (i32.add (local.get $keys) (local.get $at)) (local.get $key))
          (i32.store (i32.add (local.get $values) (local.get $at)) (local.get $value))
          (return (i32.const -1))))
      (if (i32.eq (i32.load (i32.add (local.get $keys) (local.get $at))) (local.get $key))
        (then (return (local.get $v))))
      (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
      (br $probe))
    (unreachable))

  ;; countEntries: an entry id per distinct hash (entryOf[i] per emission, ids in order of first emission) and
  ;; each entry's emission count (counts). The table must be empty (values −1). Returns the number of entries.
  (func (export "countEntries") (param $hashes i32) (param $emitted i32) (param $keys i32) (param $values i32)
      (param $mask i32) (param $entryOf i32) (param $counts i32) (result i32)
    (local $i i32) (local $distinct i32) (local $existing i32) (local $at i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $emitted)))
        (local.set $existing (call $getOrPut (local.get $keys) (local.get $values) (local.get $mask)
          (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $i) (i32.const 2)))) (local.get $distinct)))
        (if (i32.eq (local.get $existing) (i32.const -1))
          (then
            (i32.store (i32.add (local.get $entryOf) (i32.shl (local.get $i) (i32.const 2))) (local.get $distinct))
            (i32.store (i32.add (local.get $counts) (i32.shl (local.get $distinct) (i32.const 2))) (i32.const 1))
            (local.set $distinct (i32.add (local.get $distinct) (i32.const 1))))
          (else
            (i32.store (i32.add (local.get $entryOf) (i32.shl (local.get $i) (i32.const 2))) (local.get $existing))
            (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $existing) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $distinct))

  ;; layoutEntries: entryStart[0, distinct] (entryStart[0] = 0), entries over maxPostings dropped (dropped[e] = 1,
  ;; no postings). Returns the number of stop-keys.
  (func (export "layoutEntries") (param $counts i32) (param $distinct i32) (param $maxPostings i32)
      (param $entryStart i32) (param $dropped i32) (result i32)
    (local $e i32) (local $c i32) (local $total i32) (local $stopKeys i32)
    (i32.store (local.get $entryStart) (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $e) (local.get $distinct)))
        (local.set $c (i32.load (i32.add (local.get $counts) (i32.shl (local.get $e) (i32.const 2)))))
        (if (i32.gt_s (local.get $c) (local.get $maxPostings))
          (then
            (i32.store8 (i32.add (local.get $dropped) (local.get $e)) (i32.const 1))
            (local.set $stopKeys (i32.add (local.get $stopKeys) (i32.const 1))))
          (else
            (i32.store8 (i32.add (local.get $dropped) (local.get $e)) (i32.const 0))
            (local.set $total (i32.add (local.get $total) (local.get $c)))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (i32.store (i32.add (local.get $entryStart) (i32.shl (local.get $e) (i32.const 2))) (local.get $total))
        (br $next)))
    (local.get $stopKeys))

  ;; fillPostings: each kept entry's rows in emission (= row) order. `fill` holds one zeroed i32 per entry.
  (func (export "fillPostings") (param $rows i32) (param $emitted i32) (param $entryOf i32) (param $entryStart i32)
      (param $dropped i32) (param $postings i32) (param $fill i32)
    (local $i i32) (local $e i32) (local $at i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $emitted)))
        (local.set $e (i32.load (i32.add (local.get $entryOf) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $dropped) (local.get $e))))
          (then
            (local.set $at (i32.add (local.get $fill) (i32.shl (local.get $e) (i32.const 2))))
            (local.set $n (i32.load (local.get $at)))
            (i32.store
              (i32.add (local.get $postings) (i32.shl
                (i32.add (i32.load (i32.add (local.get $entryStart) (i32.shl (local.get $e) (i32.const 2)))) (local.get $n))
                (i32.const 2)))
              (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
            (i32.store (local.get $at) (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; fillTable: the lookup table hash → entry id, filled in emission order. The table must be empty (values −1).
  (func (export "fillTable") (param $keys i32) (param $values i32) (param $mask i32) (param $hashes i32)
      (param $emitted i32) (param $entryOf i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $emitted)))
        (drop (call $getOrPut (local.get $keys) (local.get $values) (local.get $mask)
          (i32.load (i32.add (local.get $hashes) (i32.shl (local.get $i) (i32.const 2))))
          (i32.load (i32.add (local.get $entryOf) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
