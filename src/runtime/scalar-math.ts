/** The scalar semantics of the elementwise ops live in the IR (the compiler folds constants with them). */
export * from '../ir/scalar-math.js';
