import { v7 as uuidv7, validate, version } from 'uuid';

/** Every id in Tally is a UUIDv7: time-ordered, so indexes stay append-mostly. */
export const newId = (): string => uuidv7();

export const isUuid = (value: string): boolean => validate(value);

export const isUuidV7 = (value: string): boolean => validate(value) && version(value) === 7;
