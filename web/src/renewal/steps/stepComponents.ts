/** Which component answers which waiting step (two steps share a component each). */
import type { Component } from 'vue'
import type { StepName } from '../types'
import ListPlansStep from './ListPlansStep.vue'
import OptionsStep from './OptionsStep.vue'
import QueryCustomerStep from './QueryCustomerStep.vue'
import SelectDeviceStep from './SelectDeviceStep.vue'
import SelectPhoneStep from './SelectPhoneStep.vue'
import SelectPlanStep from './SelectPlanStep.vue'
import SummaryStep from './SummaryStep.vue'

export const STEP_COMPONENTS: Record<StepName, Component> = {
  query_customer: QueryCustomerStep,
  select_phone: SelectPhoneStep,
  select_device_type: OptionsStep,
  select_device_os: OptionsStep,
  select_device: SelectDeviceStep,
  list_plans: ListPlansStep,
  select_plan: SelectPlanStep,
  confirm: SummaryStep,
  submit: SummaryStep
}
