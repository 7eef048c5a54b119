// Jest stand-in for lightning/platformUtilityBarApi, which @salesforce/sfdx-lwc-jest
// (7.9) does not stub. Mapped in jest.config.cjs; same shape as the platform module:
// promise-returning methods and the EnclosingUtilityId context wire adapter.
import { createTestWireAdapter } from "@salesforce/wire-service-jest-util";

export const enableModal = jest.fn().mockResolvedValue(true);
export const enablePopout = jest.fn().mockResolvedValue(true);
export const getAllUtilityInfo = jest.fn().mockResolvedValue([]);
export const getInfo = jest.fn().mockResolvedValue({});
export const minimize = jest.fn().mockResolvedValue(true);
export const onUtilityClick = jest.fn().mockResolvedValue(true);
export const open = jest.fn().mockResolvedValue(true);
export const updatePanel = jest.fn().mockResolvedValue(true);
export const updateUtility = jest.fn().mockResolvedValue(true);

export const EnclosingUtilityId = createTestWireAdapter(jest.fn());
