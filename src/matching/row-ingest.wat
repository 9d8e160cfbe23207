;; The per-row work on rows of ASCII text (row-ingest.ts; read it first): split a batch of rows into cells, normalise
;; each column's text, and write what buildReferenceIndex's JavaScript row loop writes — ids, the row-major text
;; pool, each field's evidence cell and its "same as the text" flag, the rows' blocking key hashes — with the same
;; values, so the JavaScript path and this one build the same index. For source rows (no `evidence`) only the
;; texts and key hashes, which the matcher then reads instead of normalising and hashing in JavaScript.
;; Why WebAssembly: this runs once per row, and in a fresh process V8 interprets the dozen JavaScript functions
;; doing it (normalising, pool writes, key hashing) for most of a 5,000-row build or match; compiled code runs
;; at once here.
;;
;; The input is the batch's cells as UTF-8, each row `id, column 0 … column C-1`, every cell followed by one NUL
;; except the last. `layout` (an i32 array, see LAYOUT in row-ingest.ts) gives the addresses and counts. Normal
;; form of ASCII text (normaliseText's): A–Z lowered, apostrophes dropped, every other run of characters outside
;; [a-z0-9] one space, nothing at either end.
(module
  (import "env" "memory" (memory 1))

  ;; Number of NUL bytes in [at, end): a batch is only taken here when it is exactly cells − 1 (a NUL inside a
  ;; cell would shift every cell after it).
  (func (export "countSeparators") (param $at i32) (param $end i32) (result i32)
    (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (if (i32.eqz (i32.load8_u (local.get $at))) (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    (local.get $n))

  ;; Writes the normal form of the bytes [at, end) to `to`; returns its end.
  (func $normalise (param $at i32) (param $end i32) (param $to i32) (result i32)
    (local $b i32) (local $gap i32) (local $started i32)
    (block $done
      (loop $byte
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $b (i32.load8_u (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br_if $byte (i32.eq (local.get $b) (i32.const 39))) ;; apostrophe: as if absent
        (if (i32.le_u (i32.sub (local.get $b) (i32.const 65)) (i32.const 25))
          (then (local.set $b (i32.add (local.get $b) (i32.const 32)))))
        (if (i32.or (i32.le_u (i32.sub (local.get $b) (i32.const 97)) (i32.const 25))
                    (i32.le_u (i32.sub (local.get $b) (i32.const 48)) (i32.const 9)))
          (then
            (if (i32.and (local.get $gap) (local.get $started))
              (then
                (i32.store8 (local.get $to) (i32.const 32))
                (local.set $to (i32.add (local.get $to) (i32.const 1)))))
            (i32.store8 (local.get $to) (local.get $b))
            (local.set $to (i32.add (local.get $to) (i32.const 1)))
            (local.set $gap (i32.const 0))
            (local.set $started (i32.const 1)))
          (else (local.set $gap (i32.const 1))))
        (br $byte)))
    (local.get $to))

  ;; Bytes [at, end) widened to UTF-16 code units at `to`; returns the end (in bytes).
  (func $widen (param $at i32) (param $end i32) (param $to i32) (result i32)
    (block $done
      (loop $byte
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (i32.store16 (local.get $to) (i32.load8_u (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $to (i32.add (local.get $to) (i32.const 2)))
        (br $byte)))
    (local.get $to))

  ;; FNV-1a over the bytes [at, at + n) from state h (hash.ts's fnv1a on the same text's code units).
  (func $fnv (param $at i32) (param $n i32) (param $h i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (local.get $n)))
    (block $done
      (loop $byte
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $at))) (i32.const 0x01000193)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $byte)))
    (local.get $h))

  (func $fmix (param $h i32) (result i32)
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))

  (func $word (param $layout i32) (param $i i32) (result i32)
    (i32.load (i32.add (local.get $layout) (i32.shl (local.get $i) (i32.const 2)))))

  ;; Takes rows from the layout's start byte until `rows` are done or a row has a byte over 0x7f (JavaScript
  ;; normalises that one: NFKC, accents). Returns the rows done; the layout's resume word then holds where the
  ;; row after them starts (after the refused row when one stopped the batch).
  (func (export "ingest") (param $layout i32) (result i32)
    (local $at i32) (local $inputEnd i32) (local $rows i32) (local $spans i32) (local $norm i32) (local $normSpans i32)
    (local $idCodes i32) (local $idEnds i32) (local $idBase i32) (local $textCodes i32) (local $textEnds i32)
    (local $textBase i32) (local $rawCodes i32) (local $rawStride i32) (local $rawEnds i32) (local $rawIsText i32)
    (local $rawWritten i32) (local $rawBases i32) (local $hashes i32) (local $rowEnds i32) (local $hashBase i32)
    (local $columns i32) (local $fields i32) (local $keys i32) (local $fieldColumns i32) (local $keyPlan i32)
    (local $capacity i32) (local $evidence i32)
    (local $r i32) (local $c i32) (local $f i32) (local $k i32) (local $p i32) (local $b i32) (local $high i32)
    (local $cellStart i32) (local $cellEnd i32) (local $normStart i32) (local $normEnd i32) (local $normAt i32)
    (local $idW i32) (local $textW i32) (local $hashW i32) (local $rawW i32) (local $n i32) (local $len i32)
    (local $state i32) (local $parts i32) (local $key i32) (local $prefix i32) (local $missing i32)
    (local $same i32) (local $i i32)
    (local.set $at (call $word (local.get $layout) (i32.const 3)))
    (local.set $inputEnd (call $word (local.get $layout) (i32.const 1)))
    (local.set $rows (call $word (local.get $layout) (i32.const 2)))
    (local.set $spans (call $word (local.get $layout) (i32.const 4)))
    (local.set $norm (call $word (local.get $layout) (i32.const 5)))
    (local.set $normSpans (call $word (local.get $layout) (i32.const 6)))
    (local.set $idCodes (call $word (local.get $layout) (i32.const 7)))
    (local.set $idEnds (call $word (local.get $layout) (i32.const 8)))
    (local.set $idBase (call $word (local.get $layout) (i32.const 9)))
    (local.set $textCodes (call $word (local.get $layout) (i32.const 10)))
    (local.set $textEnds (call $word (local.get $layout) (i32.const 11)))
    (local.set $textBase (call $word (local.get $layout) (i32.const 12)))
    (local.set $rawCodes (call $word (local.get $layout) (i32.const 13)))
    (local.set $rawStride (call $word (local.get $layout) (i32.const 14)))
    (local.set $rawEnds (call $word (local.get $layout) (i32.const 15)))
    (local.set $rawIsText (call $word (local.get $layout) (i32.const 16)))
    (local.set $rawWritten (call $word (local.get $layout) (i32.const 17)))
    (local.set $rawBases (call $word (local.get $layout) (i32.const 18)))
    (local.set $hashes (call $word (local.get $layout) (i32.const 19)))
    (local.set $rowEnds (call $word (local.get $layout) (i32.const 20)))
    (local.set $hashBase (call $word (local.get $layout) (i32.const 21)))
    (local.set $columns (call $word (local.get $layout) (i32.const 23)))
    (local.set $fields (call $word (local.get $layout) (i32.const 24)))
    (local.set $keys (call $word (local.get $layout) (i32.const 25)))
    (local.set $fieldColumns (call $word (local.get $layout) (i32.const 26)))
    (local.set $keyPlan (call $word (local.get $layout) (i32.const 27)))
    (local.set $capacity (call $word (local.get $layout) (i32.const 28)))
    (local.set $evidence (call $word (local.get $layout) (i32.const 29)))
    (local.set $idW (local.get $idCodes))
    (local.set $textW (local.get $textCodes))
    ;; Output positions restart with each call (the caller copies a call's output before the next one).
    (local.set $f (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $f) (local.get $fields)))
        (i32.store (i32.add (local.get $rawWritten) (i32.shl (local.get $f) (i32.const 2))) (i32.const 0))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $zero)))
    (block $stop
      (loop $row
        (br_if $stop (i32.ge_u (local.get $r) (local.get $rows)))
        ;; Cells: spans[2c], spans[2c+1] = start, end of cell c (0 = id); any byte over 0x7f refuses the row.
        (local.set $high (i32.const 0))
        (local.set $c (i32.const 0))
        (block $split
          (loop $cell
            (br_if $split (i32.gt_u (local.get $c) (local.get $columns)))
            (i32.store (i32.add (local.get $spans) (i32.shl (local.get $c) (i32.const 3))) (local.get $at))
            (block $cellDone
              (loop $byte
                (br_if $cellDone (i32.ge_u (local.get $at) (local.get $inputEnd)))
                (local.set $b (i32.load8_u (local.get $at)))
                (br_if $cellDone (i32.eqz (local.get $b)))
                (local.set $high (i32.or (local.get $high) (local.get $b)))
                (local.set $at (i32.add (local.get $at) (i32.const 1)))
                (br $byte)))
            (i32.store (i32.add (local.get $spans) (i32.add (i32.shl (local.get $c) (i32.const 3)) (i32.const 4)))
              (local.get $at))
            (local.set $at (i32.add (local.get $at) (i32.const 1))) ;; past the separator
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cell)))
        (if (i32.ge_u (local.get $high) (i32.const 0x80))
          (then
            (i32.store (i32.add (local.get $layout) (i32.const 88)) (local.get $at)) ;; word 22: resume
            (return (local.get $r))))
        ;; Normal forms of columns 0 … C-1 (cells 1 … C), one after the other in `norm`.
        (local.set $normAt (local.get $norm))
        (local.set $c (i32.const 0))
        (block $normalised
          (loop $column
            (br_if $normalised (i32.ge_u (local.get $c) (local.get $columns)))
            (local.set $i (i32.add (local.get $spans) (i32.shl (i32.add (local.get $c) (i32.const 1)) (i32.const 3))))
            (i32.store (i32.add (local.get $normSpans) (i32.shl (local.get $c) (i32.const 3))) (local.get $normAt))
            (local.set $normAt
              (call $normalise (i32.load (local.get $i)) (i32.load offset=4 (local.get $i)) (local.get $normAt)))
            (i32.store offset=4 (i32.add (local.get $normSpans) (i32.shl (local.get $c) (i32.const 3)))
              (local.get $normAt))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $column)))
        ;; With evidence (reference rows), the id as it is.
        (if (local.get $evidence)
          (then
            (local.set $idW (call $widen (i32.load (local.get $spans)) (i32.load offset=4 (local.get $spans))
              (local.get $idW)))
            (i32.store (i32.add (local.get $idEnds) (i32.shl (local.get $r) (i32.const 2)))
              (i32.add (local.get $idBase) (i32.shr_u (i32.sub (local.get $idW) (local.get $idCodes)) (i32.const 1))))))
        ;; Fields: the normal form into the text pool; with evidence (reference rows), the cell itself as evidence
        ;; unless it is the same text.
        (local.set $f (i32.const 0))
        (block $fieldsDone
          (loop $field
            (br_if $fieldsDone (i32.ge_u (local.get $f) (local.get $fields)))
            (block $fieldDone
              (local.set $c (i32.load (i32.add (local.get $fieldColumns) (i32.shl (local.get $f) (i32.const 2)))))
              (local.set $i (i32.add (local.get $normSpans) (i32.shl (local.get $c) (i32.const 3))))
              (local.set $normStart (i32.load (local.get $i)))
              (local.set $normEnd (i32.load offset=4 (local.get $i)))
              (local.set $textW (call $widen (local.get $normStart) (local.get $normEnd) (local.get $textW)))
              (i32.store
                (i32.add (local.get $textEnds)
                  (i32.shl (i32.add (i32.mul (local.get $r) (local.get $fields)) (local.get $f)) (i32.const 2)))
                (i32.add (local.get $textBase) (i32.shr_u (i32.sub (local.get $textW) (local.get $textCodes)) (i32.const 1))))
              (br_if $fieldDone (i32.eqz (local.get $evidence)))
              (local.set $i (i32.add (local.get $spans) (i32.shl (i32.add (local.get $c) (i32.const 1)) (i32.const 3))))
              (local.set $cellStart (i32.load (local.get $i)))
              (local.set $cellEnd (i32.load offset=4 (local.get $i)))
              (local.set $len (i32.sub (local.get $cellEnd) (local.get $cellStart)))
              (local.set $same (i32.eq (local.get $len) (i32.sub (local.get $normEnd) (local.get $normStart))))
              (local.set $p (i32.const 0))
              (block $compared
                (loop $compare
                  (br_if $compared (i32.eqz (local.get $same)))
                  (br_if $compared (i32.ge_u (local.get $p) (local.get $len)))
                  (local.set $same (i32.eq (i32.load8_u (i32.add (local.get $cellStart) (local.get $p)))
                                           (i32.load8_u (i32.add (local.get $normStart) (local.get $p)))))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br $compare)))
              (local.set $i (i32.add (i32.mul (local.get $f) (local.get $capacity)) (local.get $r)))
              (i32.store8 (i32.add (local.get $rawIsText) (local.get $i)) (local.get $same))
              (local.set $n (i32.add (local.get $rawWritten) (i32.shl (local.get $f) (i32.const 2))))
              (local.set $rawW (i32.load (local.get $n)))
              (if (i32.eqz (local.get $same))
                (then
                  (drop (call $widen (local.get $cellStart) (local.get $cellEnd)
                    (i32.add (i32.add (local.get $rawCodes) (i32.mul (local.get $f) (local.get $rawStride)))
                             (i32.shl (local.get $rawW) (i32.const 1)))))
                  (local.set $rawW (i32.add (local.get $rawW) (local.get $len)))
                  (i32.store (local.get $n) (local.get $rawW))))
            (i32.store (i32.add (local.get $rawEnds) (i32.shl (local.get $i) (i32.const 2)))
              (i32.add (i32.load (i32.add (local.get $rawBases) (i32.shl (local.get $f) (i32.const 2))))
                       (local.get $rawW))))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $field)))
        ;; Blocking keys: FNV-1a from the key's seed over each part's value (the normal form, or its first
        ;; `prefix` characters); with several parts, a separator step before each part (keyHashes' order); a missing
        ;; part means no hash for the key.
        (local.set $key (local.get $keyPlan))
        (local.set $k (i32.const 0))
        (block $keysDone
          (loop $eachKey
            (br_if $keysDone (i32.ge_u (local.get $k) (local.get $keys)))
            (local.set $state (i32.load (local.get $key)))
            (local.set $parts (i32.load offset=4 (local.get $key)))
            (local.set $key (i32.add (local.get $key) (i32.const 8)))
            (local.set $missing (i32.const 0))
            (local.set $p (i32.const 0))
            (block $partsDone
              (loop $part
                (br_if $partsDone (i32.ge_u (local.get $p) (local.get $parts)))
                (local.set $i (i32.add (local.get $normSpans) (i32.shl (i32.load (local.get $key)) (i32.const 3))))
                (local.set $prefix (i32.load offset=4 (local.get $key)))
                (local.set $key (i32.add (local.get $key) (i32.const 8)))
                (local.set $normStart (i32.load (local.get $i)))
                (local.set $len (i32.sub (i32.load offset=4 (local.get $i)) (local.get $normStart)))
                (if (i32.eqz (local.get $len)) (then (local.set $missing (i32.const 1))))
                (if (i32.and (i32.ne (local.get $prefix) (i32.const 0)) (i32.lt_u (local.get $prefix) (local.get $len)))
                  (then (local.set $len (local.get $prefix))))
                (if (i32.gt_u (local.get $parts) (i32.const 1))
                  (then (local.set $state
                    (i32.mul (i32.xor (local.get $state) (i32.const 1)) (i32.const 0x01000193)))))
                (local.set $state (call $fnv (local.get $normStart) (local.get $len) (local.get $state)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $part)))
            (if (i32.eqz (local.get $missing))
              (then
                (i32.store (i32.add (local.get $hashes) (i32.shl (local.get $hashW) (i32.const 2)))
                  (call $fmix (local.get $state)))
                (local.set $hashW (i32.add (local.get $hashW) (i32.const 1)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $eachKey)))
        (i32.store (i32.add (local.get $rowEnds) (i32.shl (local.get $r) (i32.const 2)))
          (i32.add (local.get $hashBase) (local.get $hashW)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
    (i32.store (i32.add (local.get $layout) (i32.const 88)) (local.get $at))
    (local.get $r))
)
