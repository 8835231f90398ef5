/**
 * One column being read: numbers into a growing Float64Array (NaN = missing) until a string or
 * boolean forces a plain array, so a 100k-row numeric column costs 8 bytes a cell, not a boxed
 * value. Values are set by row index, so a reader may write a row before it knows the row is
 * complete and overwrite it later; `build(length)` keeps the rows it committed.
 */
export class ColumnBuilder {
  private nums: Float64Array = new Float64Array(1024);
  private values: unknown[] | undefined;
  /** Rows appended with push(). */
  length = 0;

  push(v: number | string | boolean | null): void {
    this.set(this.length++, v);
  }

  /** Row `i` (every row before it already set) is the number `v`. */
  setNumber(i: number, v: number): void {
    if (this.values !== undefined) {
      this.values[i] = v;
      return;
    }
    if (i >= this.nums.length) this.grow();
    this.nums[i] = v;
  }

  /** Row `i` (every row before it already set) is `v`; null is missing. */
  set(i: number, v: number | string | boolean | null): void {
    if (this.values !== undefined) {
      this.values[i] = v;
    } else if (typeof v === "number") {
      this.setNumber(i, v);
    } else if (v === null) {
      this.setNumber(i, Number.NaN);
    } else {
      this.values = Array.from(this.nums.subarray(0, i), (x) => (Number.isNaN(x) ? null : x));
      this.values[i] = v;
    }
  }

  build(length = this.length): Float64Array | unknown[] {
    if (this.values === undefined) {
      // A view when at most a quarter of the array is spare: a copy would touch every value again.
      return length * 4 >= this.nums.length * 3 ? this.nums.subarray(0, length) : this.nums.slice(0, length);
    }
    this.values.length = length;
    return this.values;
  }

  private grow(): void {
    const next = new Float64Array(this.nums.length * 2);
    next.set(this.nums);
    this.nums = next;
  }
}
